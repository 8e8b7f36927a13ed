using BenchmarkDotNet.Attributes;
using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Spaces;
using OrleansKb.Text;
using OrleansKb.Workloads;

namespace OrleansKb.Benchmarks;

/// <summary>
/// The aunt-kg conjunctions (mothers, sisters, aunts) on royal92_simple.metta, in-process, every
/// result encoded as a match's page holds it: on one undivided space (a grain's match, the join
/// planned and run as nested trie walks), or over <c>Partitions</c> spaces cut at the keys'
/// quantiles, joined level by level as a silo's join coordinator does (<see cref="PartitionedJoin"/>,
/// each partition matching a level under the rows sent to it). No messages: what is left is the
/// join's own work, the part a cluster adds nothing to.
/// </summary>
[Config(typeof(ShortRunConfig))]
[MemoryDiagnoser]
public class PartitionedJoinBenchmarks
{
    // A client's default page of match results (SpaceLimits.MatchPageBytes).
    private const int PageBytes = 256 << 10;

    private static readonly MatchSessionLimits Limits = new(MatchBudget.Unlimited, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), 64, 1 << 20);

    private (Atom Pattern, Atom Template)[] _queries = [];
    private DividedSpace _space = null!;

    [Params(1, 8)]
    public int Partitions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var path = Path.Combine(Path.GetDirectoryName(Royal92.Path)!, "royal92_simple.metta");
        _queries = [.. AuntKgQueries.All.Skip(1).Select(q => (MettaReader.Parse(q.Pattern)[0], MettaReader.Parse(q.Template)[0]))];
        _space = new DividedSpace(MettaReader.Parse(File.ReadAllText(path)), Partitions, Limits);
    }

    /// <summary>The three conjunctions' results, encoded; returns how many.</summary>
    [Benchmark]
    public async Task<long> Conjunctions()
    {
        var solutions = 0L;
        foreach (var (pattern, template) in _queries)
        {
            if (Partitions == 1)
            {
                solutions += Pages(_space.Parts[0], _space.Parts[0].Open(pattern, template, long.MaxValue, PageBytes)).Sum(page => page.Solutions);
                continue;
            }

            // Ordered as a coordinator orders it: by each partition's statistics (kept after the first run).
            var join = new PartitionedJoin(
                _space.Map, pattern, template, long.MaxValue, MatchBudget.Unlimited, Probe, _space.HoldsVariables, measured: _space.Measured(pattern, Limits.Slice));
            await foreach (var page in join.RunAsync())
            {
                solutions += page.Solutions;
            }
        }

        return solutions;
    }

    private async IAsyncEnumerable<JoinPage> Probe(int partition, JoinProbes probes, long limit, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sessions = _space.Parts[partition];
        foreach (var page in Pages(sessions, sessions.OpenRows(probes.Pattern.Span, probes.Template.Span, probes.Rows, limit, PartitionedJoin.ProbePageBytes)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new JoinPage(page.Results, page.ResultCount, page.Solutions);
        }

        await Task.CompletedTask;
    }

    private static IEnumerable<MatchSessionPage> Pages(MatchSessions sessions, MatchSessionPage page)
    {
        while (true)
        {
            yield return page;
            if (page.Id == 0)
            {
                yield break;
            }

            page = sessions.Next(page.Id);
        }
    }
}
