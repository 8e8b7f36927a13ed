namespace OrleansKb.Cli.Bench;

/// <summary>
/// The figures of <c>orleanskb bench repartition</c>: the load, in nanoseconds per fact; each
/// repartition, in atoms copied per second (as the silo timed it); and the longest a count waited
/// while they ran.
/// </summary>
internal sealed record RepartitionBenchResult(
    int Facts,
    int Partitions,
    double LoadNs,
    double IntoAtomsPerS,
    double BackAtomsPerS,
    double LongestCountMs);
