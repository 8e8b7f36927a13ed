namespace OrleansKb.Workloads;

/// <summary>
/// The figures of <c>orleanskb bench environment</c>, nanoseconds per fact unless named otherwise.
/// <see cref="TrieBytesPerAtom"/> is the trie's live bytes (nodes, child entries, labels and leaves)
/// per atom; <see cref="KeyBytesPerAtom"/> the encoded atoms' own size, for comparison;
/// <see cref="IndexNs"/> the argument index catching up with the facts inserted, and
/// <see cref="IndexBytesPerAtom"/> its live bytes per atom then.
/// </summary>
public sealed record EnvironmentBenchResult(
    int Facts,
    int Threads,
    double EncodeNs,
    double EncodeParallelNs,
    double InsertNs,
    double BulkNs,
    double BulkParallelNs,
    double Speedup,
    double TrieBytesPerAtom,
    double KeyBytesPerAtom,
    double IndexNs,
    double IndexBytesPerAtom);
