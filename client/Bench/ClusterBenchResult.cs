namespace OrleansKb.Cli.Bench;

/// <summary>The figures of <c>orleanskb bench cluster</c> (into spaces of <c>Partitions</c> partitions): nanoseconds per fact, facts per second of the parallel bulk add, and its ratio to one call per fact.</summary>
internal sealed record ClusterBenchResult(
    int Facts,
    int Partitions,
    double IndividualNs,
    double BulkNs,
    double BulkParallelNs,
    double FactsPerS,
    double BulkVsIndividual);
