using System.Diagnostics;
using OrleansKb.Atoms;
using OrleansKb.Text;

namespace OrleansKb.Client;

/// <summary>
/// What <c>orleanskb bench match</c> measures through the cluster: the four aunt-kg queries over a
/// genealogy (parents, mothers, sisters, aunts, all results streamed back), median of five rounds
/// after a warm-up, and a point query's latency (median and p99 of 200 calls).
/// </summary>
public static class MatchBench
{
    /// <summary>The aunt-kg benchmark's queries: pattern and template.</summary>
    public static IReadOnlyList<(string Name, string Pattern, string Template)> Queries { get; } =
    [
        ("parents", "(parent $p $x)", "(parent-of $x $p)"),
        ("mothers", "(, (parent $m $x) (female $m))", "(mother $m $x)"),
        ("sisters", "(, (parent $p $x) (parent $p $s) (female $s))", "(sister $s $x)"),
        ("aunts", "(, (parent $p $x) (parent $gp $p) (parent $gp $a) (female $a))", "(aunt $a $x)"),
    ];

    public static async Task<MatchBenchResult> RunAsync(KbCluster cluster, string file, string pointQuery, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var space = cluster.Space($"bench-match-{Guid.NewGuid():N}", ephemeral: true);
        await space.LoadFileAsync(file, cancellationToken: cancellationToken).ConfigureAwait(false);
        var queries = Queries.Select(q => (q.Name, Pattern: MettaReader.Parse(q.Pattern)[0], Template: MettaReader.Parse(q.Template)[0])).ToList();
        var point = MettaReader.Parse(pointQuery)[0];

        var rounds = new List<double[]>();
        var results = new long[queries.Count];
        for (var round = 0; round < 6; round++)
        {
            var times = new double[queries.Count];
            for (var i = 0; i < queries.Count; i++)
            {
                var stopwatch = Stopwatch.StartNew();
                results[i] = await CountResults(space.MatchAsync(queries[i].Pattern, queries[i].Template, cancellationToken: cancellationToken)).ConfigureAwait(false);
                times[i] = stopwatch.Elapsed.TotalMilliseconds;
            }

            if (round > 0)
            {
                rounds.Add(times);
            }
        }

        var latencies = new double[200];
        for (var i = -20; i < latencies.Length; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            await CountResults(space.MatchAsync(point, point, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (i >= 0)
            {
                latencies[i] = stopwatch.Elapsed.TotalMicroseconds;
            }
        }

        await space.ClearAsync(cancellationToken).ConfigureAwait(false);
        Array.Sort(latencies);
        var perQuery = queries.Select((q, i) => new MatchQueryResult(q.Name, results[i], BenchTiming.Median(rounds.Select(r => r[i])))).ToList();
        return new MatchBenchResult(perQuery, BenchTiming.Median(rounds.Select(r => r.Sum())), latencies[latencies.Length / 2], latencies[(int)(latencies.Length * 0.99)]);
    }

    private static async Task<long> CountResults(IAsyncEnumerable<Atom> results)
    {
        long count = 0;
        await foreach (var _ in results.ConfigureAwait(false))
        {
            count++;
        }

        return count;
    }
}

/// <summary>One query's result count and median time (ms).</summary>
public sealed record MatchQueryResult(string Name, long Results, double Ms);

/// <summary>The figures of <c>orleanskb bench match</c>.</summary>
public sealed record MatchBenchResult(IReadOnlyList<MatchQueryResult> Queries, double TotalMs, double PointMedianUs, double PointP99Us);
