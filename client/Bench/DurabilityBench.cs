using System.Diagnostics;
using OrleansKb.Client;
using OrleansKb.Workloads;

namespace OrleansKb.Cli.Bench;

/// <summary>
/// What <c>orleanskb bench durability</c> measures, on one cluster in one run: the same parallel
/// pipelined bulk load of royal92-shaped facts into an ephemeral (in-memory) space and into a durable
/// one (acknowledged = on disk), interleaved, median of three each; then, on the durable space,
/// recovery from the log alone, the time to write a snapshot (and the longest a <c>count</c> waited
/// meanwhile), and recovery from that snapshot (the silo reports how long its activation spent
/// recovering; the files are in the page cache).
/// </summary>
internal static class DurabilityBench
{
    private const int Runs = 3;

    public static async Task<DurabilityBenchResult> RunAsync(KbCluster cluster, int facts, int partitions, CancellationToken cancellationToken = default)
    {
        var atoms = BenchTiming.Facts(cluster, facts);
        var divided = BenchTiming.Partitioned.Of(partitions, atoms);

        // Warm-up: connections, activations, the JIT, the disk.
        var warmUp = atoms.Take(Math.Min(facts, 20_000)).ToArray();
        await LoadAsync(cluster, warmUp, ephemeral: true, keep: false, divided, cancellationToken).ConfigureAwait(false);
        await LoadAsync(cluster, warmUp, ephemeral: false, keep: false, divided, cancellationToken).ConfigureAwait(false);

        var memory = new double[Runs];
        var durable = new double[Runs];
        KbSpace? last = null;
        for (var i = 0; i < Runs; i++)
        {
            (memory[i], _) = await LoadAsync(cluster, atoms, ephemeral: true, keep: false, divided, cancellationToken).ConfigureAwait(false);
            (durable[i], last) = await LoadAsync(cluster, atoms, ephemeral: false, keep: i == Runs - 1, divided, cancellationToken).ConfigureAwait(false);
        }

        var space = last!;
        var replayMs = await RecoveryMsAsync(space, cancellationToken).ConfigureAwait(false);
        // While the snapshot is written, the space must go on answering: the longest `count` meanwhile.
        var stopwatch = Stopwatch.StartNew();
        var snapshot = space.SnapshotAsync(cancellationToken);
        var longestCount = TimeSpan.Zero;
        while (!snapshot.IsCompleted)
        {
            var asked = Stopwatch.StartNew();
            await space.CountAsync(cancellationToken).ConfigureAwait(false);
            longestCount = TimeSpan.FromTicks(Math.Max(longestCount.Ticks, asked.Elapsed.Ticks));
        }

        await snapshot.ConfigureAwait(false);
        var snapshotNs = stopwatch.Elapsed.TotalNanoseconds / facts;
        var recoveryMs = await RecoveryMsAsync(space, cancellationToken).ConfigureAwait(false);
        await space.ClearAsync(cancellationToken).ConfigureAwait(false);

        var memoryNs = BenchTiming.Median(memory) / facts;
        var durableNs = BenchTiming.Median(durable) / facts;
        return new DurabilityBenchResult(facts, memoryNs, durableNs, durableNs / memoryNs, snapshotNs, recoveryMs * 1e6 / facts, replayMs * 1e6 / facts)
        {
            LongestCountDuringSnapshotMs = longestCount.TotalMilliseconds,
        };
    }

    private static Task<(double Ns, KbSpace Space)> LoadAsync(KbCluster cluster, Atoms.Atom[] atoms, bool ephemeral, bool keep, BenchTiming.Partitioned divided, CancellationToken cancellationToken) =>
        BenchTiming.TimeLoadAsync(cluster, ephemeral, space => space.AddFactsAsync(atoms, cancellationToken: cancellationToken), keep, divided, cancellationToken);

    /// <summary>Unloads the space, wakes it, and returns how long its new activation spent recovering.</summary>
    private static async Task<double> RecoveryMsAsync(KbSpace space, CancellationToken cancellationToken)
    {
        var epoch = (await space.InfoAsync(cancellationToken).ConfigureAwait(false)).Epoch;
        await space.UnloadAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var info = await space.InfoAsync(cancellationToken).ConfigureAwait(false);
            if (info.Epoch > epoch)
            {
                return info.RecoveryMs;
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"space '{space.Name}' was not unloaded within 10 s");
    }
}
