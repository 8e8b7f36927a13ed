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
    private PartitionMap _map = null!;
    private MatchSessions[] _parts = [];
    private bool[] _holdsVariables = [];
    private AtomSpace[] _spaces = [];

    [Params(1, 8)]
    public int Partitions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var path = Path.Combine(Path.GetDirectoryName(Royal92.Path)!, "royal92_simple.metta");
        var atoms = MettaReader.Parse(File.ReadAllText(path));
        _queries = [.. AuntKgQueries.All.Skip(1).Select(q => (MettaReader.Parse(q.Pattern)[0], MettaReader.Parse(q.Template)[0]))];
        var keys = atoms.Select(AtomEncoder.Encode).ToArray();
        var splits = PartitionMap.SplitsOf(keys, Partitions);
        _map = new PartitionMap(1, [.. Enumerable.Range(0, splits.Length + 1)], splits);
        var spaces = Enumerable.Range(0, _map.Count).Select(_ => new AtomSpace()).ToArray();
        for (var i = 0; i < keys.Length; i++)
        {
            spaces[_map.IndexOf(keys[i])].AddEncoded(keys[i]);
        }

        _parts = [.. spaces.Select((space, i) => new MatchSessions($"part {i}", space, Limits))];
        _holdsVariables = [.. spaces.Select(space => space.HoldsVariables)];
        _spaces = spaces;
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
                solutions += Pages(_parts[0], _parts[0].Open(pattern, template, long.MaxValue, PageBytes)).Sum(page => page.Solutions);
                continue;
            }

            // Ordered as a coordinator orders it: by each partition's statistics (kept after the first run).
            var measured = _spaces.Select(space => space.MeasurePatterns(pattern, Limits.Slice)).ToList();
            var join = new PartitionedJoin(_map, pattern, template, long.MaxValue, MatchBudget.Unlimited, Probe, _holdsVariables, measured: measured);
            await foreach (var page in join.RunAsync())
            {
                solutions += page.Solutions;
            }
        }

        return solutions;
    }

    private async IAsyncEnumerable<JoinPage> Probe(int partition, JoinProbes probes, long limit, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sessions = _parts[partition];
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
