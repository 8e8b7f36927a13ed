namespace OrleansKb.Spaces;

/// <summary>
/// How bulk adds split their work (the original plan's <c>ParallelConfig</c>). The parallel phase —
/// encoding atoms to bytes — runs on <see cref="DegreeOfParallelism"/> threads (the caller and
/// dedicated encoder threads, never the .NET thread pool); inserting into the trie stays one
/// sequential critical section. See docs/benchmarks.md for the measurements behind the defaults.
/// </summary>
public sealed record BulkOptions
{
    /// <summary>Threads that encode at once, the caller included. 1 makes every bulk add sequential.</summary>
    public int DegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Bulk adds of fewer atoms than this run sequentially: coordinating threads would cost more than it saves.</summary>
    public int ParallelThreshold { get; init; } = 256;

    /// <summary>
    /// The most encoded bytes held before they are inserted (or, in the client, sent as one message):
    /// bounds the memory a bulk add of any size needs.
    /// </summary>
    public int BatchBytes { get; init; } = 1 << 20;

    /// <summary>Sort each chunk's keys before inserting them, so that consecutive inserts share their path in the trie.</summary>
    public bool SortKeys { get; init; }

    /// <summary>All cores encode; suits a caller that waits for the bulk add and has nothing else to do.</summary>
    public static BulkOptions CpuBound { get; } = new();

    /// <summary>Every bulk add sequential, on the caller's thread.</summary>
    public static BulkOptions Sequential { get; } = new() { DegreeOfParallelism = 1 };

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(DegreeOfParallelism, 1, nameof(DegreeOfParallelism));
        ArgumentOutOfRangeException.ThrowIfLessThan(ParallelThreshold, 0, nameof(ParallelThreshold));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchBytes, 1024, nameof(BatchBytes));
    }
}
