namespace OrleansKb.Client;

/// <summary>The figures of <c>orleanskb bench cluster</c>: nanoseconds per fact, facts per second of the parallel bulk add, and its ratio to one call per fact.</summary>
public sealed record ClusterBenchResult(
    int Facts,
    double IndividualNs,
    double BulkNs,
    double BulkParallelNs,
    double FactsPerS,
    double BulkVsIndividual);
