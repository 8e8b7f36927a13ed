namespace OrleansKb.Cli.Bench;

/// <summary>The figures of <c>orleanskb bench cluster</c>: nanoseconds per fact, facts per second of the parallel bulk add, and its ratio to one call per fact.</summary>
internal sealed record ClusterBenchResult(
    int Facts,
    double IndividualNs,
    double BulkNs,
    double BulkParallelNs,
    double FactsPerS,
    double BulkVsIndividual);
