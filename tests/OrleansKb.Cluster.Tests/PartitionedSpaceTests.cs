using OrleansKb.Atoms;
using OrleansKb.Client;
using OrleansKb.Tests;
using OrleansKb.Text;
using OrleansKb.Workloads;

namespace OrleansKb.Cluster.Tests;

/// <summary>A space divided into partitions (docs/cluster.md, "Partitioned spaces") answers as one partition does.</summary>
[Collection(SharedCluster.Name)]
public sealed class PartitionedSpaceTests(ClusterFixture fixture) : IDisposable
{
    // royal92's genealogy, more facts of its shape, rules, and atoms with variables (stored variables
    // match a pattern's constants, two-way).
    private static readonly List<Atom> Atoms =
    [
        .. TestData.ReadAtoms("aunt-kg/royal92_simple.metta"),
        .. Royal92ShapedFacts.Generate(20_000),
        .. GeneratedRules.Generate(300),
        .. MettaReader.Parse("(parent $who \"@I1972@\") ($rel \"@I40@\" \"@I41@\") (female $anyone)"),
    ];

    private readonly string _file = Path.Combine(Path.GetTempPath(), $"orleanskb-partitioned-{Guid.NewGuid():N}.metta");

    public void Dispose() => File.Delete(_file);

    private static async Task<List<string>> Printed(IAsyncEnumerable<Atom> atoms, bool sort = false)
    {
        var lines = new List<string>();
        await foreach (var atom in atoms)
        {
            lines.Add(MettaPrinter.Print(atom));
        }

        if (sort)
        {
            lines.Sort(StringComparer.Ordinal);
        }

        return lines;
    }

    private async Task<(KbSpace Divided, KbSpace Whole)> LoadedAsync(int partitions, IEnumerable<Atom>? atoms = null)
    {
        await File.WriteAllLinesAsync(_file, (atoms ?? Atoms).Select(MettaPrinter.Print));
        var (divided, whole) = (fixture.NewSpace(), fixture.NewSpace());
        await divided.LoadAsync(LoadSource.File(_file), new LoadOptions { Partitions = partitions });
        await whole.LoadAsync(LoadSource.File(_file));
        return (divided, whole);
    }

    [Fact]
    public async Task A_space_loaded_into_four_partitions_answers_count_export_contains_rules_and_matches_as_one_partition_does()
    {
        var (divided, whole) = await LoadedAsync(4);

        var info = await divided.InfoAsync();
        Assert.Equal(4, info.Partitions!.Count);
        Assert.True(Assert.Single((await whole.InfoAsync()).Partitions!).Atoms > 0);
        Assert.Equal("", info.Partitions[0].Lo);
        Assert.Equal("", info.Partitions[^1].Hi);
        for (var i = 1; i < info.Partitions.Count; i++)
        {
            Assert.Equal(info.Partitions[i - 1].Hi, info.Partitions[i].Lo);
            Assert.True(string.CompareOrdinal(info.Partitions[i].Lo, info.Partitions[i - 1].Lo) > 0);
        }

        Assert.All(info.Partitions, partition => Assert.InRange(partition.Atoms, Atoms.Count / 8, Atoms.Count / 2));
        Assert.Equal(await whole.CountAsync(), await divided.CountAsync());
        Assert.Equal(info.Atoms, info.Partitions.Sum(partition => partition.Atoms));
        Assert.Equal(await Printed(whole.ExportAsync()), await Printed(divided.ExportAsync()));
        using (var wholePaths = new MemoryStream())
        using (var dividedPaths = new MemoryStream())
        {
            await whole.ExportPathsAsync(wholePaths);
            await divided.ExportPathsAsync(dividedPaths);
            Assert.Equal(wholePaths.ToArray(), dividedPaths.ToArray());
        }

        Assert.True(await divided.ContainsAsync(Atoms[12_345]));
        Assert.False(await divided.ContainsAsync(MettaReader.Parse("(parent \"@nobody@\" \"@I1@\")")[0]));
        Assert.Equal(await Printed(whole.MatchingRulesAsync("f0", 1), sort: true), await Printed(divided.MatchingRulesAsync("f0", 1), sort: true));
        foreach (var text in new[] { "(parent $p \"@I1972@\")", "(parent \"@I1972@\" $c)", "(female $x)", "($r \"@I40@\" $y)", "(parent $a $b)" })
        {
            var pattern = MettaReader.Parse(text)[0];
            Assert.Equal(await Printed(whole.MatchAsync(pattern, pattern), sort: true), await Printed(divided.MatchAsync(pattern, pattern), sort: true));
            Assert.Equal(await whole.MatchCountAsync(pattern), await divided.MatchCountAsync(pattern));
            Assert.Equal(await whole.MatchCountAsync(pattern, limit: 7), await divided.MatchCountAsync(pattern, limit: 7));
        }
    }

    [Fact]
    public async Task A_pattern_with_a_constant_prefix_asks_only_the_partitions_that_can_hold_what_it_matches()
    {
        var (divided, _) = await LoadedAsync(8);
        var before = (await divided.InfoAsync()).Partitions!.Select(partition => partition.Matches).ToArray();

        var point = MettaReader.Parse("(Individuals 17 (Id $id))")[0];
        Assert.Equal(1, await divided.MatchCountAsync(point));

        var after = (await divided.InfoAsync()).Partitions!.Select(partition => partition.Matches).ToArray();
        var asked = Enumerable.Range(0, after.Length).Count(i => after[i] > before[i]);
        // The partition of its constant prefix, and those where a stored variable could stand for one of
        // its constants (two-way matching): here the neighbours of the ranges of such keys.
        Assert.InRange(asked, 1, 3);
    }

    [Fact]
    public async Task A_pattern_looked_up_by_a_later_argument_asks_only_the_partitions_that_hold_it()
    {
        // No atom with a variable: a partition holding one is asked for any value.
        var royal = TestData.ReadAtoms("aunt-kg/royal92_simple.metta");
        var (divided, whole) = await LoadedAsync(8, royal);
        var parents = MettaReader.Parse("(parent $p \"@I1972@\")")[0];
        var nobody = MettaReader.Parse("(parent $p \"@nobody@\")")[0];

        async Task<int> AskedAsync(Atom pattern)
        {
            var before = (await divided.InfoAsync()).Partitions!.Select(partition => partition.Matches).ToArray();
            Assert.Equal(await Printed(whole.MatchAsync(pattern, pattern), sort: true), await Printed(divided.MatchAsync(pattern, pattern), sort: true));
            var after = (await divided.InfoAsync()).Partitions!.Select(partition => partition.Matches).ToArray();
            return Enumerable.Range(0, after.Length).Count(i => after[i] > before[i]);
        }

        var partitions = (await divided.InfoAsync()).Partitions!;
        int PartitionOf(Atom atom)
        {
            var key = Convert.ToHexStringLower(Codec.AtomEncoder.Encode(atom));
            return partitions.Count(partition => string.CompareOrdinal(partition.Lo, key) <= 0) - 1;
        }

        // By its constant prefix alone, (parent, every partition holding parent facts would be asked.
        var parentFacts = royal.OfType<ExpressionAtom>().Where(fact => fact[0] is SymbolAtom { Name: "parent" }).ToList();
        Assert.True(parentFacts.Select(PartitionOf).Distinct().Count() >= 2);
        Assert.Equal(2, await whole.MatchCountAsync(parents));
        Assert.Equal(1, await AskedAsync(parents));
        Assert.Equal(0, await AskedAsync(nobody));

        // A parent added in another partition's range is found as soon as its add is acknowledged.
        var held = parentFacts.Where(fact => fact[2].Equals(((ExpressionAtom)parents)[2])).Select(PartitionOf).ToList();
        var elsewhere = parentFacts.Select(fact => Atom.Expression(fact[0], fact[1], ((ExpressionAtom)parents)[2]))
            .First(atom => !held.Contains(PartitionOf(atom)));
        Atom[] added = [elsewhere, .. MettaReader.Parse("(parent \"@nobody@\" \"@nobody@\")")];
        await divided.AddFactsAsync(added);
        await whole.AddFactsAsync(added);
        Assert.Equal(2, await AskedAsync(parents));
        Assert.Equal(1, await AskedAsync(nobody));
    }

    [Fact]
    public async Task A_client_with_an_older_map_is_refused_reads_the_map_again_and_loses_or_doubles_nothing()
    {
        var facts = Royal92ShapedFacts.Generate(20_000);
        var stale = fixture.NewSpace();
        Assert.Equal(0, await stale.CountAsync()); // reads the map: one partition
        var staleReader = KbSpace.Of(fixture.Cluster.Client, stale.Name);
        Assert.Equal(0, await staleReader.CountAsync());
        var other = KbSpace.Of(fixture.Cluster.Client, stale.Name);
        Assert.Equal(4, await other.DivideAsync(facts, 4));

        Assert.Equal(20_000, await stale.AddFactsAsync(facts, new LoadOptions { Bulk = OrleansKb.Spaces.BulkOptions.CpuBound with { BatchBytes = 64 << 10 } }));

        // A read by the older map is refused too, not answered by partition 0 alone.
        Assert.Equal(20_000, await staleReader.CountAsync());
        var info = await KbSpace.Of(fixture.Cluster.Client, stale.Name).InfoAsync();
        Assert.Equal(20_000, info.Atoms);
        Assert.Equal(4, info.Partitions!.Count);
        Assert.All(info.Partitions, partition => Assert.True(partition.Atoms > 0));
        Assert.Equal(20_000, (await Printed(other.ExportAsync())).Distinct().Count());
        Assert.Equal(0, await stale.AddFactsAsync(facts));
        Assert.Equal(20_000, await stale.RemoveAsync(facts));
        Assert.Equal(0, await other.CountAsync());
        Assert.Equal(4, (await other.InfoAsync()).Partitions!.Count);
    }

    [Fact]
    public async Task A_space_that_holds_atoms_is_not_divided_and_a_divided_space_keeps_its_partitions()
    {
        var space = fixture.NewSpace();
        await space.AddFactsAsync(Royal92ShapedFacts.Generate(100));

        var refused = await Assert.ThrowsAsync<InvalidAtomBatchException>(() => space.DivideAsync(Royal92ShapedFacts.Generate(1000), 4));
        Assert.Contains("only an empty space", refused.Message, StringComparison.Ordinal);
        Assert.Single((await space.InfoAsync()).Partitions!);

        var divided = fixture.NewSpace();
        Assert.Equal(3, await divided.DivideAsync(Royal92ShapedFacts.Generate(1000), 3));
        Assert.Equal(3, await divided.DivideAsync(Royal92ShapedFacts.Generate(1000), 6));
        await divided.ClearAsync();
        Assert.Equal(3, (await divided.InfoAsync()).Partitions!.Count);
    }

    [Fact]
    public async Task A_repartition_runs_online_while_writes_and_reads_go_on_and_the_space_then_answers_as_one_partition_does()
    {
        var (space, whole) = await LoadedAsync(1);
        var more = Royal92ShapedFacts.Generate(40_000).Skip(20_000).ToList();
        await whole.AddFactsAsync(more);

        // Small batches, one at a time, from a client that routes by the map it read before.
        var writer = KbSpace.Of(fixture.Cluster.Client, space.Name);
        var writes = Task.Run(async () =>
        {
            foreach (var chunk in more.Chunk(20))
            {
                await writer.AddFactsAsync(chunk, new LoadOptions { BatchesInFlight = 1 });
            }
        });
        var counts = new List<long>();
        var reads = Task.Run(async () =>
        {
            while (!writes.IsCompleted)
            {
                counts.Add(await KbSpace.Of(fixture.Cluster.Client, space.Name).CountAsync());
            }
        });

        var first = await space.RepartitionAsync(4);
        var second = await space.RepartitionAsync(3);
        await writes;
        await reads;

        Assert.Equal([4, 3], [first.Partitions, second.Partitions]);
        Assert.Equal(second.Epoch, first.Epoch + 1);
        Assert.True(first.AtomsMoved >= Atoms.Count, $"{first.AtomsMoved} atoms moved");
        Assert.True(counts.Count > 0 && counts.Zip(counts.Skip(1)).All(pair => pair.First <= pair.Second), "a count went back");
        Assert.Equal(await whole.CountAsync(), await space.CountAsync());
        Assert.Equal(await Printed(whole.ExportAsync()), await Printed(space.ExportAsync()));
        var info = await space.InfoAsync();
        Assert.Equal(space.Name, info.Space);
        Assert.Equal(3, info.Partitions!.Count);
        Assert.All(info.Partitions, p => Assert.Equal(second.Epoch, p.Epoch));
        foreach (var (name, patternText, templateText) in AuntKgQueries.All)
        {
            var (pattern, template) = (MettaReader.Parse(patternText)[0], MettaReader.Parse(templateText)[0]);
            Assert.Equal(await Printed(whole.MatchAsync(pattern, template), sort: true), await Printed(space.MatchAsync(pattern, template), sort: true));
        }

        Assert.Equal(await Printed(whole.MatchingRulesAsync("f0", 1), sort: true), await Printed(space.MatchingRulesAsync("f0", 1), sort: true));
    }

    [Fact]
    public async Task The_aunt_kg_conjunctions_on_eight_partitions_give_what_one_partition_gives()
    {
        var (divided, whole) = await LoadedAsync(8);

        // Partitions 1 … 8 go to the two silos in turn (PartitionPlacement).
        var silos = (await divided.InfoAsync()).Partitions!.Select(p => p.Silo).ToList();
        Assert.All(silos.Zip(silos.Skip(1)), pair => Assert.NotEqual(pair.First, pair.Second));
        foreach (var (name, patternText, templateText) in AuntKgQueries.All)
        {
            var (pattern, template) = (MettaReader.Parse(patternText)[0], MettaReader.Parse(templateText)[0]);
            var expected = await Printed(whole.MatchAsync(pattern, template), sort: true);

            Assert.True(expected.Count > 0, name);
            Assert.Equal(expected, await Printed(divided.MatchAsync(pattern, template), sort: true));
            Assert.Equal(expected.Count, await divided.MatchCountAsync(pattern));
            Assert.Equal(Math.Min(10, expected.Count), (await Printed(divided.MatchAsync(pattern, template, limit: 10))).Count);
        }
    }
}
