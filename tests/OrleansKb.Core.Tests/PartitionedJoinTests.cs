using System.Runtime.CompilerServices;
using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Spaces;
using OrleansKb.Text;
using OrleansKb.Workloads;
using Xunit.Abstractions;

namespace OrleansKb.Tests;

/// <summary>A conjunction joined over a divided space (<see cref="PartitionedJoin"/>) gives what one space's match gives.</summary>
public sealed class PartitionedJoinTests(ITestOutputHelper output)
{
    private static readonly MatchSessionLimits Limits = new(MatchBudget.Unlimited, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(1), 64, 1 << 20);

    /// <summary>The atoms divided into <paramref name="partitions"/> spaces at their keys' quantiles, each with its matches.</summary>
    private static DividedSpace Divided(IReadOnlyList<Atom> atoms, int partitions) => new(atoms, partitions, Limits);

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

    private static async Task<(List<string> Results, long Solutions)> JoinAsync(
        PartitionMap map, MatchSessions[] parts, bool[] holdsVariables, Atom pattern, Atom? template, long limit = long.MaxValue, int rowsPerMessage = 64, List<PatternCounts[]?>? measured = null)
    {
        var join = new PartitionedJoin(map, pattern, template, limit, MatchBudget.Unlimited, (i, probes, most, ct) => Probe(parts[i], probes, most, ct), holdsVariables, rowsPerMessage, measured);
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
        var divided = Divided(atoms, 8);
        var (map, parts, holdsVariables) = (divided.Map, divided.Parts, divided.HoldsVariables);
        Assert.Contains(false, holdsVariables);
        Assert.Contains(true, holdsVariables);
        var (pattern, template) = (MettaReader.Parse(patternText)[0], MettaReader.Parse(templateText)[0]);
        var expected = Matched(whole, pattern, template);
        Assert.NotEmpty(expected);

        // Ordered by routing alone, and by the partitions' statistics: the same answers.
        foreach (var measured in new[] { null, divided.Measured(pattern, TimeSpan.FromMinutes(1)) })
        {
            var (results, solutions) = await JoinAsync(map, parts, holdsVariables, pattern, template, measured: measured);
            Assert.Equal(expected, results);
            Assert.Equal(expected.Count, solutions);
            Assert.Equal(whole.MatchCount(pattern), (await JoinAsync(map, parts, holdsVariables, pattern, template: null, measured: measured)).Solutions);
            Assert.Equal(Math.Min(5, expected.Count), (await JoinAsync(map, parts, holdsVariables, pattern, template, limit: 5, measured: measured)).Solutions);
        }
    }

    [Fact]
    public async Task A_join_stops_at_the_budget_counting_every_level()
    {
        var divided = Divided(TestData.ReadAtoms("aunt-kg/royal92_simple.metta"), 4);
        var (map, parts) = (divided.Map, divided.Parts);
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
        var divided = Divided(TestData.ReadAtoms("aunt-kg/royal92_simple.metta"), 8);
        var (map, parts, holdsVariables) = (divided.Map, divided.Parts, divided.HoldsVariables);
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

    [Theory]
    [InlineData("sisters")]
    [InlineData("aunts")]
    public async Task Ordered_by_the_partitions_statistics_a_join_sends_fewer_rows_than_ordered_by_routing_alone(string query)
    {
        // Routing alone starts the sisters from every (parent $p $x) fact and finds 15,042 pairs of
        // siblings before keeping the female ones; the statistics start from the fewer female facts.
        var divided = Divided(TestData.ReadAtoms("aunt-kg/royal92_simple.metta"), 8);
        var (map, parts, holdsVariables) = (divided.Map, divided.Parts, divided.HoldsVariables);
        var pattern = MettaReader.Parse(AuntKgQueries.All.Single(q => q.Name == query).Pattern)[0];
        var measured = divided.Measured(pattern, TimeSpan.FromMinutes(1));
        var whole = new AtomSpace();
        TestData.ReadAtoms("aunt-kg/royal92_simple.metta").ForEach(atom => whole.Add(atom));
        Assert.Equal(whole.MeasurePatterns(pattern, TimeSpan.FromMinutes(1))!.Select(p => p.Count), Enumerable.Range(0, measured[0]!.Length).Select(i => measured.Sum(m => m![i].Count)));

        var rows = new long[2];
        for (var ordering = 0; ordering < 2; ordering++)
        {
            var join = new PartitionedJoin(
                map, pattern, null, long.MaxValue, MatchBudget.Unlimited,
                (i, probes, most, ct) =>
                {
                    rows[ordering] += probes.Count;
                    return Probe(parts[i], probes, most, ct);
                },
                holdsVariables,
                measured: ordering == 0 ? null : measured);
            var solutions = 0L;
            await foreach (var page in join.RunAsync())
            {
                solutions += page.Solutions;
            }

            Assert.Equal(whole.MatchCount(pattern), solutions);
        }

        // Printed for docs/benchmarks.md (dotnet test … --logger "console;verbosity=detailed").
        output.WriteLine($"{query}: rows sent ordered by routing: {rows[0]:N0}; by statistics: {rows[1]:N0}");
        Assert.True(rows[1] * 3 < rows[0] * 2, $"rows sent ordered by routing: {rows[0]:N0}; by statistics: {rows[1]:N0}");
    }
}
