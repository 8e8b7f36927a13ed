using OrleansKb.Client;
using OrleansKb.Spaces;
using OrleansKb.Workloads;

namespace OrleansKb.Cli.Bench;

/// <summary>
/// What <c>orleanskb bench cluster</c> measures: royal92-shaped facts from atom objects to
/// acknowledged in the grain — one call per fact, bulk sequential (one thread, one batch in
/// flight), and bulk parallel with pipelining (the defaults) — each into a fresh space, median of
/// three runs after a warm-up, in nanoseconds per fact.
/// </summary>
internal static class ClusterBench
{
    private const int Runs = 3;

    public static async Task<ClusterBenchResult> RunAsync(KbCluster cluster, int facts, int partitions, CancellationToken cancellationToken = default)
    {
        var atoms = BenchTiming.Facts(cluster, facts);
        var divided = BenchTiming.Partitioned.Of(partitions, atoms);
        var individual = atoms.Take(Math.Min(facts, 1000)).ToArray();
        var sequential = new LoadOptions { Bulk = BulkOptions.Sequential, BatchesInFlight = 1 };

        // Warm-up: connections, activations and the JIT.
        await BenchTiming.TimeLoadAsync(cluster, ephemeral: true, space => space.AddFactsAsync(atoms.Take(Math.Min(facts, 20_000)), cancellationToken: cancellationToken), partitioned: divided, cancellationToken: cancellationToken).ConfigureAwait(false);

        var individualNs = await MedianAsync(cluster, divided, async space =>
        {
            foreach (var atom in individual)
            {
                await space.AddFactsAsync([atom], cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }).ConfigureAwait(false) / individual.Length;
        var bulkNs = await MedianAsync(cluster, divided, space => space.AddFactsAsync(atoms, sequential, cancellationToken: cancellationToken)).ConfigureAwait(false) / facts;
        var parallelNs = await MedianAsync(cluster, divided, space => space.AddFactsAsync(atoms, cancellationToken: cancellationToken)).ConfigureAwait(false) / facts;
        return new ClusterBenchResult(facts, partitions, individualNs, bulkNs, parallelNs, 1e9 / parallelNs, individualNs / parallelNs);
    }

    private static async Task<double> MedianAsync(KbCluster cluster, BenchTiming.Partitioned divided, Func<KbSpace, Task> load)
    {
        var times = new double[Runs];
        for (var i = 0; i < Runs; i++)
        {
            (times[i], _) = await BenchTiming.TimeLoadAsync(cluster, ephemeral: true, load, partitioned: divided).ConfigureAwait(false);
        }

        return BenchTiming.Median(times);
    }
}
