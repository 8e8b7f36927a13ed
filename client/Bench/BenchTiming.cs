using System.Diagnostics;
using OrleansKb.Client;

namespace OrleansKb.Cli.Bench;

/// <summary>How the cluster benches (<c>orleanskb bench …</c>) time a run and sum up runs.</summary>
internal static class BenchTiming
{
    /// <summary><paramref name="facts"/> royal92-shaped facts to time loading into <paramref name="cluster"/>.</summary>
    public static OrleansKb.Atoms.Atom[] Facts(KbCluster cluster, int facts)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentOutOfRangeException.ThrowIfLessThan(facts, 1);
        return OrleansKb.Workloads.Royal92ShapedFacts.Generate(facts);
    }

    /// <summary>A fresh space divided into <paramref name="Partitions"/> at the quantiles of <paramref name="Sample"/> before it is loaded.</summary>
    public sealed record Partitioned(int Partitions, IReadOnlyList<OrleansKb.Atoms.Atom> Sample)
    {
        /// <summary>Every 61st of the facts to be loaded: enough for the quantiles of a bench's keys.</summary>
        public static Partitioned Of(int partitions, OrleansKb.Atoms.Atom[] facts) => new(partitions, [.. facts.Where((_, i) => i % 61 == 0)]);
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    /// <summary>The median and 99th percentile, in microseconds, of 200 calls of <paramref name="call"/> after 20 to warm up.</summary>
    public static async Task<(double MedianUs, double P99Us)> LatencyAsync(Func<Task> call)
    {
        var latencies = new double[200];
        for (var i = -20; i < latencies.Length; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            await call().ConfigureAwait(false);
            if (i >= 0)
            {
                latencies[i] = stopwatch.Elapsed.TotalMicroseconds;
            }
        }

        Array.Sort(latencies);
        return (latencies[latencies.Length / 2], latencies[(int)(latencies.Length * 0.99)]);
    }

    /// <summary>
    /// Times one load into a fresh space (divided first, untimed, into <see cref="Partitioned.Partitions"/>
    /// at the quantiles of <see cref="Partitioned.Sample"/>), in nanoseconds; then empties the space, so
    /// that runs do not accumulate memory, unless it is to be kept.
    /// </summary>
    public static async Task<(double Ns, KbSpace Space)> TimeLoadAsync(
        KbCluster cluster, bool ephemeral, Func<KbSpace, Task> load, bool keep = false, Partitioned? partitioned = null, CancellationToken cancellationToken = default)
    {
        var space = cluster.Space($"bench-{Guid.NewGuid():N}", ephemeral);
        await space.CountAsync(cancellationToken).ConfigureAwait(false);
        if (partitioned is { Partitions: > 1 } divide)
        {
            await space.DivideAsync(divide.Sample, divide.Partitions, cancellationToken).ConfigureAwait(false);
        }

        GC.Collect();
        var stopwatch = Stopwatch.StartNew();
        await load(space).ConfigureAwait(false);
        var elapsed = stopwatch.Elapsed.TotalNanoseconds;
        if (!keep)
        {
            await space.ClearAsync(cancellationToken).ConfigureAwait(false);
        }

        return (elapsed, space);
    }
}
