using OrleansKb.Atoms;
using OrleansKb.Client;
using OrleansKb.Tests;
using OrleansKb.Text;
using OrleansKb.Workloads;

namespace OrleansKb.Cluster.Tests;

/// <summary>A transform (docs/transform.md) derives in the cluster what a match and adds from a client would.</summary>
[Collection(SharedCluster.Name)]
public sealed class TransformTests(ClusterFixture fixture)
{
    private static Atom Parse(string text) => MettaReader.Parse(text)[0];

    private static async Task<List<string>> Sorted(IAsyncEnumerable<Atom> atoms)
    {
        var lines = new List<string>();
        await foreach (var atom in atoms)
        {
            lines.Add(MettaPrinter.Print(atom));
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private async Task<KbSpace> RoyalAsync(int partitions = 1)
    {
        var space = fixture.NewSpace();
        var atoms = TestData.ReadAtoms("aunt-kg/royal92_simple.metta");
        if (partitions > 1)
        {
            await space.DivideAsync(atoms, partitions);
        }

        await space.AddFactsAsync(atoms);
        return space;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task The_aunts_derived_into_another_space_are_the_distinct_results_of_the_same_match(int partitions)
    {
        var royal = await RoyalAsync(partitions);
        var (pattern, template) = (Parse(AuntKgQueries.All.Single(q => q.Name == "aunts").Pattern), Parse("(aunt $a $x)"));
        var expected = (await Sorted(royal.MatchAsync(pattern, template))).Distinct().ToList();
        var into = fixture.NewSpace();

        var done = await royal.TransformAsync(pattern, template, into.Name);

        Assert.True(done.Finished);
        Assert.Equal(6785, done.Solutions);
        Assert.Equal(expected.Count, done.Added);
        Assert.Equal(1, done.Rounds);
        Assert.Equal(expected, await Sorted(into.ExportAsync()));

        // Again: every atom is there already.
        Assert.Equal(0, (await royal.TransformAsync(pattern, template, into.Name)).Added);
    }

    [Fact]
    public async Task Several_templates_add_and_remove_in_the_same_space()
    {
        var royal = await RoyalAsync();
        var before = await royal.CountAsync();
        var sisters = Parse(AuntKgQueries.All.Single(q => q.Name == "sisters").Pattern);

        var done = await royal.TransformAsync(sisters, Parse("(, (sister $s $x) (sibling $x $s))"));

        var (sister, sibling) = (await royal.MatchCountAsync(Parse("(sister $s $x)")), await royal.MatchCountAsync(Parse("(sibling $x $s)")));
        Assert.Equal(6880, done.Solutions);
        Assert.Equal(sister + sibling, done.Added);
        Assert.Equal(before + done.Added, await royal.CountAsync());

        var removed = await royal.TransformAsync(Parse("(sibling $x $s)"), Parse("(- (sibling $x $s))"));
        Assert.Equal(sibling, removed.Removed);
        Assert.Equal(0, await royal.MatchCountAsync(Parse("(sibling $x $s)")));
        Assert.Equal(before + sister, await royal.CountAsync());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task A_permuted_copy_matches_every_partition_and_routes_each_atom_to_its_own(int partitions)
    {
        var royal = await RoyalAsync(partitions);
        var into = fixture.NewSpace();
        var expected = await Sorted(royal.MatchAsync(Parse("(parent $a $b)"), Parse("(child $b $a)")));
        await into.DivideAsync(expected.Select(Parse), 3);

        var done = await royal.TransformAsync(Parse("(parent $a $b)"), Parse("(child $b $a)"), into.Name);

        Assert.Equal(expected.Count, done.Solutions);
        Assert.Equal(expected.Count, done.Added);
        Assert.Equal(expected, await Sorted(into.ExportAsync()));
        Assert.InRange((await royal.InfoAsync()).Partitions!.Count(partition => partition.Matches > 0), Math.Min(partitions, 2), partitions);
        Assert.All((await into.InfoAsync()).Partitions!, partition => Assert.True(partition.Atoms > 0));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task A_round_sees_the_space_as_it_was_when_it_started_not_its_own_additions(int partitions)
    {
        // (n (b $x)) is matched by (n $x), and its keys come after every (n (a …)) the walk starts
        // from: a round that wrote as it went would meet its own atoms (many more than one write's
        // solutions), and derive (n (b (b …))) from them. Divided, the partitions are read at once.
        var space = fixture.NewSpace();
        var atoms = Enumerable.Range(0, 200_000).Select(i => Parse($"(n (a {i}))")).ToList();
        if (partitions > 1)
        {
            await space.DivideAsync([.. atoms, .. atoms.Select(atom => Parse($"(n (b {MettaPrinter.Print(((ExpressionAtom)atom)[1])}))"))], partitions);
        }

        await space.AddFactsAsync(atoms);

        var done = await space.TransformAsync(Parse("(n $x)"), Parse("(n (b $x))"));

        Assert.Equal(200_000, done.Solutions);
        Assert.Equal(200_000, done.Added);
        Assert.Equal(400_000, await space.CountAsync());
        Assert.Equal(0, await space.MatchCountAsync(Parse("(n (b (b $x)))")));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task A_transform_is_bounded_by_the_silos_transform_budget_not_its_match_budget(int partitions)
    {
        // 1,700 × 1,700 = 2,890,000 solutions: within the match budget, past the transform budget.
        var space = fixture.NewSpace();
        var atoms = Enumerable.Range(0, 1_700).SelectMany(i => new[] { Parse($"(a {i})"), Parse($"(b {i})") }).ToList();
        if (partitions > 1)
        {
            await space.DivideAsync(atoms, partitions);
        }

        await space.AddFactsAsync(atoms);
        var pattern = Parse("(, (a $x) (b $y))");
        Assert.Equal(2_890_000, await space.MatchCountAsync(pattern));
        var into = fixture.NewSpace();

        var stopped = await Assert.ThrowsAsync<MatchFailedException>(() => space.TransformAsync(pattern, Parse("(seen $x)"), into.Name));

        Assert.Contains($"more than {ClusterFixture.TransformMaxSolutions:N0} solutions", stopped.Message, StringComparison.Ordinal);
        Assert.Contains("Match:TransformMaxSolutions", stopped.Message, StringComparison.Ordinal);
        Assert.InRange(await into.CountAsync(), 1, 1_700);
    }

    [Fact]
    public async Task A_cancelled_transform_stops_after_its_slice_and_everything_it_reports_added_is_there()
    {
        // 100,000 random edges among 20,000 nodes: about 2.5 million paths of three, several slices' work.
        var random = new Random(19);
        var graph = fixture.NewSpace();
        await graph.AddFactsAsync(Enumerable.Range(0, 100_000).Select(_ => Parse($"(edge {random.Next(20_000)} {random.Next(20_000)})")));
        var into = fixture.NewSpace();
        using var stop = new CancellationTokenSource();
        var reports = 0;

        var done = await graph.TransformAsync(
            Parse("(, (edge $x $y) (edge $y $z) (edge $z $w))"), Parse("(hop3 $x $w)"), into.Name, progress: new StopAtFirst(stop, () => reports++), cancellationToken: stop.Token);

        Assert.Equal(1, reports);
        Assert.False(done.Finished);
        Assert.InRange(done.Solutions, 1, 2_000_000);
        Assert.True(done.Added > 0);
        Assert.Equal(done.Added, await into.CountAsync());
    }

    /// <summary>Progress that cancels the transform when it is first reported (at once, on the reporting thread).</summary>
    private sealed class StopAtFirst(CancellationTokenSource stop, Action reported) : IProgress<TransformProgress>
    {
        public void Report(TransformProgress value)
        {
            reported();
            stop.Cancel();
        }
    }

    [Fact]
    public async Task A_transform_to_a_fixpoint_reaches_the_transitive_closure_and_a_round_budget_stops_a_runaway_one()
    {
        // A chain of ten nodes and a shortcut: 0 → 1 → … → 9, and 2 → 7.
        var graph = fixture.NewSpace();
        await graph.AddFactsAsync([.. Enumerable.Range(0, 9).Select(i => Parse($"(edge {i} {i + 1})")), Parse("(edge 2 7)")]);
        Assert.Equal(10, (await graph.TransformAsync(Parse("(edge $x $y)"), Parse("(path $x $y)"))).Added);

        var closure = await graph.TransformAsync(Parse("(, (edge $x $y) (path $y $z))"), Parse("(path $x $z)"), fixpoint: true);

        Assert.True(closure.Finished);
        Assert.Null(closure.Stopped);
        Assert.Equal(45 - 10, closure.Added);
        Assert.Equal(45, await graph.MatchCountAsync(Parse("(path $x $y)")));
        Assert.Equal(6, closure.Rounds); // the longest shortest paths (0 → 6, 3 → 9) have six edges: rounds for 2 … 6, then one that adds nothing

        // Naive rounds match every solution again: the same closure, from many more solutions.
        var again = fixture.NewSpace();
        await again.AddFactsAsync([.. Enumerable.Range(0, 9).Select(i => Parse($"(edge {i} {i + 1})")), Parse("(edge 2 7)")]);
        await again.TransformAsync(Parse("(edge $x $y)"), Parse("(path $x $y)"));
        var naive = await again.TransformAsync(Parse("(, (edge $x $y) (path $y $z))"), Parse("(path $x $z)"), fixpoint: true, naive: true);
        Assert.Equal((closure.Added, closure.Rounds), (naive.Added, naive.Rounds));
        Assert.Equal(await Sorted(graph.ExportAsync()), await Sorted(again.ExportAsync()));
        Assert.True(closure.Solutions < naive.Solutions, $"semi-naive {closure.Solutions} solutions, naive {naive.Solutions}");

        // On a space of three partitions, each later round's join under the new atoms' rows goes over them all.
        var divided = fixture.NewSpace();
        List<Atom> edges = [.. Enumerable.Range(0, 9).Select(i => Parse($"(edge {i} {i + 1})")), Parse("(edge 2 7)")];
        await divided.DivideAsync([.. edges, .. edges.Select(e => Parse(MettaPrinter.Print(e).Replace("edge", "path", StringComparison.Ordinal)))], 3);
        await divided.AddFactsAsync(edges);
        await divided.TransformAsync(Parse("(edge $x $y)"), Parse("(path $x $y)"));
        var acrossPartitions = await divided.TransformAsync(Parse("(, (edge $x $y) (path $y $z))"), Parse("(path $x $z)"), fixpoint: true);
        Assert.Equal(3, (await divided.InfoAsync()).Partitions!.Count);
        Assert.Equal((closure.Added, closure.Rounds, closure.Solutions), (acrossPartitions.Added, acrossPartitions.Rounds, acrossPartitions.Solutions));
        Assert.Equal(await Sorted(graph.ExportAsync()), await Sorted(divided.ExportAsync()));

        var runaway = fixture.NewSpace();
        await runaway.AddFactsAsync([Parse("(n 0)")]);
        var stopped = await runaway.TransformAsync(Parse("(n $x)"), Parse("(n (s $x))"), fixpoint: true, maxRounds: 5);

        Assert.True(stopped.Finished);
        Assert.Contains("5 rounds", stopped.Stopped, StringComparison.Ordinal);
        Assert.Equal(5, stopped.Added);
        Assert.Equal(1, await runaway.MatchCountAsync(Parse("(n (s (s (s (s (s 0))))))")));
        await Assert.ThrowsAsync<ArgumentException>(() => graph.TransformAsync(Parse("(edge $x $y)"), Parse("(path $x $y)"), into: runaway.Name, fixpoint: true));
    }

    [Fact]
    public async Task A_template_with_a_variable_the_pattern_does_not_bind_is_refused_before_anything_runs()
    {
        var space = fixture.NewSpace();
        await space.AddFactsAsync([Parse("(parent a b)")]);

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => space.TransformAsync(Parse("(parent $a $b)"), Parse("(, (child $b $a) (grandchild $c $a))")));

        Assert.Contains("$c", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, await space.CountAsync());
    }
}
