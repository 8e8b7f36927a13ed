using System.Diagnostics;
using OrleansKb.Client;

namespace OrleansKb.Cli.Bench;

/// <summary>
/// What <c>orleanskb bench repartition</c> measures: royal92-shaped facts loaded into a fresh durable
/// space of one partition, then repartitioned into P partitions, then into P ÷ 2 (every atom copied
/// inside the cluster each time: docs/cluster.md, "Changing the partitions"), with the longest a
/// <c>count</c> of the space waited meanwhile (reads go on during a repartition).
/// </summary>
internal static class RepartitionBench
{
    public static async Task<RepartitionBenchResult> RunAsync(KbCluster cluster, int facts, int partitions, CancellationToken cancellationToken = default)
    {
        var atoms = BenchTiming.Facts(cluster, facts);
        var (loadNs, space) = await BenchTiming.TimeLoadAsync(cluster, ephemeral: false, space => space.AddFactsAsync(atoms, cancellationToken: cancellationToken), keep: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        atoms = null;
        GC.Collect();
        try
        {
            var (into, longestInto) = await RepartitionAsync(space, partitions, cancellationToken).ConfigureAwait(false);
            var (back, longestBack) = await RepartitionAsync(space, Math.Max(1, partitions / 2), cancellationToken).ConfigureAwait(false);
            var count = await space.CountAsync(cancellationToken).ConfigureAwait(false);
            if (count != facts || into.AtomsMoved != facts || back.AtomsMoved != facts)
            {
                throw new InvalidOperationException($"the space holds {count:N0} atoms after moving {into.AtomsMoved:N0} and {back.AtomsMoved:N0}; {facts:N0} were loaded");
            }

            return new RepartitionBenchResult(facts, partitions, loadNs / facts, into.AtomsPerSecond, back.AtomsPerSecond, Math.Max(longestInto, longestBack));
        }
        finally
        {
            await space.ClearAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A repartition, and the longest a count waited while it ran, in milliseconds.</summary>
    private static async Task<(RepartitionReport Report, double LongestCountMs)> RepartitionAsync(KbSpace space, int partitions, CancellationToken cancellationToken)
    {
        var repartition = space.RepartitionAsync(partitions, cancellationToken);
        var longest = TimeSpan.Zero;
        while (!repartition.IsCompleted)
        {
            var asked = Stopwatch.StartNew();
            await space.CountAsync(cancellationToken).ConfigureAwait(false);
            longest = TimeSpan.FromTicks(Math.Max(longest.Ticks, asked.Elapsed.Ticks));
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }

        return (await repartition.ConfigureAwait(false), longest.TotalMilliseconds);
    }
}
