using System.Diagnostics;
using OrleansKb.Atoms;
using OrleansKb.Client;
using OrleansKb.Text;
using OrleansKb.Workloads;

namespace OrleansKb.Cli.Bench;

/// <summary>
/// What <c>orleanskb bench match</c> measures, through the cluster or, with <c>--in-process</c>, on an
/// environment in this process: the four aunt-kg queries over a genealogy (parents, mothers, sisters,
/// aunts, every result instantiated — and through the cluster streamed back), median of the last five
/// rounds once they are steady (the first, cold round reported beside it); a point query's latency (median and p99 of 200 calls after 20 to warm up); and how
/// fast the first million results of a match with millions of solutions,
/// <c>(, (parent $a $b) (female $c))</c>, stream to the caller (median of five rounds after three).
/// </summary>
internal static class MatchBench
{
    /// <summary>Through the cluster: the file loaded into an ephemeral space of its own, cleared afterwards.</summary>
    public static async Task<MatchBenchResult> RunAsync(KbCluster cluster, string file, string pointQuery, int partitions = 1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var space = cluster.Space($"bench-match-{Guid.NewGuid():N}", ephemeral: true);
        await space.LoadAsync(LoadSource.File(file), new LoadOptions { Partitions = partitions }, cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            return await MeasureAsync((pattern, template, limit) => new ValueTask<long>(CountResults(space.MatchAsync(pattern, template, limit, cancellationToken))), pointQuery).ConfigureAwait(false);
        }
        finally
        {
            await space.ClearAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>In this process: the file loaded into an <see cref="Spaces.AtomSpace"/>, matched with <see cref="Spaces.AtomSpace.Match"/>.</summary>
    public static Task<MatchBenchResult> RunInProcessAsync(string file, string pointQuery)
    {
        var environment = new Spaces.AtomSpace();
        environment.AddFacts(MettaReader.Parse(File.ReadAllText(file)));
        return MeasureAsync((pattern, template, limit) => new ValueTask<long>(environment.Match(pattern, template, (int)Math.Min(limit, int.MaxValue)).Count), pointQuery);
    }

    /// <summary>How many rounds of the aunt-kg queries make a figure, once they are steady.</summary>
    private const int SteadyRounds = 5;

    private static readonly TimeSpan MaxWarmUp = TimeSpan.FromMinutes(1);

    // A silo's code reaches its full tier seconds after it is first run (call counting, then compiling
    // in the background): rounds faster than that can agree with each other before it has.
    private static readonly TimeSpan MinWarmUp = TimeSpan.FromSeconds(10);

    /// <summary>The match whose results are streamed, and how many of them.</summary>
    private const string StreamPattern = "(, (parent $a $b) (female $c))";
    private const int StreamResults = 1_000_000;

    private static async Task<MatchBenchResult> MeasureAsync(Func<Atom, Atom, long, ValueTask<long>> match, string pointQuery)
    {
        var queries = AuntKgQueries.All.Select(q => (q.Name, Pattern: MettaReader.Parse(q.Pattern)[0], Template: MettaReader.Parse(q.Template)[0])).ToList();
        var point = MettaReader.Parse(pointQuery)[0];

        // A long-running silo has compiled its code at full tier and indexed its space: rounds go on
        // for ten seconds at least, until the last five agree with the five before them (within 5 %),
        // or for a minute at most; the first round, before any of that, is reported as the cold figure.
        var rounds = new List<double[]>();
        var results = new long[queries.Count];
        var warming = Stopwatch.StartNew();
        while (rounds.Count < SteadyRounds * 2 || warming.Elapsed < MinWarmUp || (!Steady(rounds) && warming.Elapsed < MaxWarmUp))
        {
            var times = new double[queries.Count];
            for (var i = 0; i < queries.Count; i++)
            {
                var stopwatch = Stopwatch.StartNew();
                results[i] = await match(queries[i].Pattern, queries[i].Template, long.MaxValue).ConfigureAwait(false);
                times[i] = stopwatch.Elapsed.TotalMilliseconds;
            }

            rounds.Add(times);
        }

        var cold = rounds[0].Sum();
        var measured = rounds[^SteadyRounds..];

        var (pointMedian, pointP99) = await BenchTiming.LatencyAsync(async () => await match(point, point, long.MaxValue).ConfigureAwait(false)).ConfigureAwait(false);

        var stream = MettaReader.Parse(StreamPattern)[0];
        var streamTemplate = MettaReader.Parse("(r $a $c)")[0];
        var rates = new List<double>();
        for (var round = -3; round < 5; round++)
        {
            var stopwatch = Stopwatch.StartNew();
            var streamed = await match(stream, streamTemplate, StreamResults).ConfigureAwait(false);
            if (round >= 0)
            {
                rates.Add(streamed / stopwatch.Elapsed.TotalSeconds);
            }
        }

        var perQuery = queries.Select((q, i) => new MatchQueryResult(q.Name, results[i], BenchTiming.Median(measured.Select(r => r[i])))).ToList();
        return new MatchBenchResult(perQuery, BenchTiming.Median(measured.Select(r => r.Sum())), cold, pointMedian, pointP99, BenchTiming.Median(rates));
    }

    /// <summary>Whether the median total of the last <see cref="SteadyRounds"/> rounds is within 5 % of the median of the rounds before them.</summary>
    private static bool Steady(List<double[]> rounds)
    {
        var last = BenchTiming.Median(rounds[^SteadyRounds..].Select(r => r.Sum()));
        var before = BenchTiming.Median(rounds[^(2 * SteadyRounds)..^SteadyRounds].Select(r => r.Sum()));
        return Math.Abs(last - before) <= 0.05 * before;
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
