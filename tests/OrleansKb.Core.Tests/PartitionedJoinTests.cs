using System.Runtime.CompilerServices;
using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Spaces;
using OrleansKb.Text;
using OrleansKb.Workloads;

namespace OrleansKb.Tests;

/// <summary>A conjunction joined over a divided space (<see cref="PartitionedJoin"/>) gives what one space's match gives.</summary>
public sealed class PartitionedJoinTests
{
    private static readonly MatchSessionLimits Limits = new(MatchBudget.Unlimited, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(1), 64, 1 << 20);

    /// <summary>The atoms divided into <paramref name="partitions"/> spaces at their keys' quantiles, each with its matches, and which hold stored variables.</summary>
    private static (PartitionMap Map, MatchSessions[] Parts, bool[] HoldsVariables) Divided(IReadOnlyList<Atom> atoms, int partitions)
    {
        var keys = atoms.Select(AtomEncoder.Encode).ToArray();
        var splits = PartitionMap.SplitsOf(keys, partitions);
        var map = new PartitionMap(1, [.. Enumerable.Range(0, splits.Length + 1)], splits);
        var spaces = Enumerable.Range(0, map.Count).Select(_ => new AtomSpace()).ToArray();
        for (var i = 0; i < atoms.Count; i++)
        {
            spaces[map.IndexOf(keys[i])].Add(atoms[i]);
        }

        return (map, [.. spaces.Select((space, i) => new MatchSessions($"part {i}", space, Limits))], [.. spaces.Select(space => space.HoldsVariables)]);
    }

    /// <summary>What a partition grain does with a level's rows: one match of them all, a small page at a time.</summary>
    private static async IAsyncEnumerable<JoinPage> Probe(MatchSessions partition, JoinProbes probes, long limit, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        Assert.Equal(probes.Count, AtomDecoder.CountAtoms(probes.Rows.Span));
        var page = partition.OpenRows(probes.Pattern.Span, probes.Template.Span, probes.Rows, limit, pageBytes: 2048);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new JoinPage(page.Results.ToArray(), page.ResultCount, page.Solutions);
            if (page.Id == 0)
            {
                yield break;
            }

            page = partition.Next(page.Id);
        }
    }

    private static async Task<(List<string> Results, long Solutions)> JoinAsync(PartitionMap map, MatchSessions[] parts, bool[] holdsVariables, Atom pattern, Atom? template, long limit = long.MaxValue, int rowsPerMessage = 64)
    {
        var join = new PartitionedJoin(map, pattern, template, limit, MatchBudget.Unlimited, (i, probes, most, ct) => Probe(parts[i], probes, most, ct), holdsVariables, rowsPerMessage);
        var (results, solutions) = (new List<string>(), 0L);
        await foreach (var page in join.RunAsync())
        {
            results.AddRange(AtomDecoder.DecodeAll(page.Results.Span).Select(MettaPrinter.Print));
            solutions += page.Solutions;
        }

        results.Sort(StringComparer.Ordinal);
        return (results, solutions);
    }

    /// <summary>One space's results as they travel (encoded: unbound variables named <c>$x0</c>, <c>$x1</c>, … as in any result).</summary>
    private static List<string> Matched(AtomSpace space, Atom pattern, Atom template) =>
        [.. space.Match(pattern, template).Select(atom => MettaPrinter.Print(AtomDecoder.Decode(AtomEncoder.Encode(atom)))).Order(StringComparer.Ordinal)];

    public static TheoryData<string, string> Queries()
    {
        var data = new TheoryData<string, string>();
        foreach (var (_, pattern, template) in AuntKgQueries.All.Skip(1))
        {
            data.Add(pattern, template);
        }

        data.Add("(, (parent $p \"@I1972@\") (parent $gp $p))", "(grandparent $gp)");
        data.Add("(, (female $a) (likes $a $what))", "($a likes $what)");
        data.Add("(, (likes $a (food $f)) (parent $a $c))", "($c $f)");
        return data;
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task A_conjunction_joined_over_eight_partitions_gives_what_one_space_gives(string patternText, string templateText)
    {
        // royal92, and atoms with variables: a stored variable stands for whatever a probe has there.
        var atoms = TestData.ReadAtoms("aunt-kg/royal92_simple.metta").Concat(MettaReader.Parse(
            "(likes \"@I1@\" (food cake)) (likes $anyone (food bread)) (likes \"@I5@\" $thing) (parent \"@I1@\" \"@I9999@\") ($rel \"@I40@\" \"@I41@\")")).ToList();
        var whole = new AtomSpace();
        atoms.ForEach(atom => whole.Add(atom));
        var (map, parts, holdsVariables) = Divided(atoms, 8);
        Assert.Contains(false, holdsVariables);
        Assert.Contains(true, holdsVariables);
        var (pattern, template) = (MettaReader.Parse(patternText)[0], MettaReader.Parse(templateText)[0]);

        var expected = Matched(whole, pattern, template);
        var (results, solutions) = await JoinAsync(map, parts, holdsVariables, pattern, template);

        Assert.NotEmpty(expected);
        Assert.Equal(expected, results);
        Assert.Equal(expected.Count, solutions);
        Assert.Equal(whole.MatchCount(pattern), (await JoinAsync(map, parts, holdsVariables, pattern, template: null)).Solutions);
        Assert.Equal(Math.Min(5, expected.Count), (await JoinAsync(map, parts, holdsVariables, pattern, template, limit: 5)).Solutions);
    }

    [Fact]
    public async Task A_join_stops_at_the_budget_counting_every_level()
    {
        var (map, parts, _) = Divided(TestData.ReadAtoms("aunt-kg/royal92_simple.metta"), 4);
        var join = new PartitionedJoin(map, MettaReader.Parse("(, (parent $p $x) (parent $p $s))")[0], null, long.MaxValue, new MatchBudget(1000, TimeSpan.FromMinutes(1)),
            (i, probes, most, ct) => Probe(parts[i], probes, most, ct));

        await Assert.ThrowsAsync<MatchBudgetExceededException>(async () =>
        {
            await foreach (var _ in join.RunAsync())
            {
            }
        });
        Assert.InRange(join.Solutions, 1001, 1000 + 4096);
    }

    [Fact]
    public async Task Each_row_of_a_later_level_goes_to_one_partition_when_no_partition_holds_variables()
    {
        // The aunts query as written probes (parent $gp $p) with $p bound: by prefix, every partition
        // holding parent facts. Joined in another order, each later level's conjunct begins with what
        // is bound, and each row goes to the one partition its prefix routes it to.
        var (map, parts, holdsVariables) = Divided(TestData.ReadAtoms("aunt-kg/royal92_simple.metta"), 8);
        Assert.DoesNotContain(true, holdsVariables);
        var (rows, firstLevelPartitions) = (0L, 0);
        var join = new PartitionedJoin(
            map,
            MettaReader.Parse(AuntKgQueries.All.Single(q => q.Name == "aunts").Pattern)[0],
            null,
            long.MaxValue,
            MatchBudget.Unlimited,
            (i, probes, most, ct) =>
            {
                rows += probes.Count;
                firstLevelPartitions += probes.Count == 1 && AtomDecoder.Decode(probes.Rows.Span) is ExpressionAtom row && row.Children.ToArray().All(v => v is VariableAtom) ? 1 : 0;
                return Probe(parts[i], probes, most, ct);
            },
            holdsVariables);

        var solutions = 0L;
        await foreach (var page in join.RunAsync())
        {
            solutions += page.Solutions;
        }

        Assert.Equal(6785, solutions);
        Assert.InRange(firstLevelPartitions, 1, map.Count);
        Assert.Equal(firstLevelPartitions + join.Solutions - solutions, rows);
    }
}
