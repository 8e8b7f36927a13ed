using OrleansKb.Atoms;
using OrleansKb.Client;
using OrleansKb.Spaces;
using OrleansKb.Tests;
using OrleansKb.Text;
using OrleansKb.Workloads;

namespace OrleansKb.Cluster.Tests;

/// <summary>Spaces recovered from their store after their grain is deactivated (docs/durability.md).</summary>
[Collection(SharedDurableCluster.Name)]
public sealed class DurableSpaceTests(DurableClusterFixture fixture)
{
    private static readonly LoadOptions SmallBatches = new() { Bulk = BulkOptions.CpuBound with { BatchBytes = 16 << 10 }, BatchesInFlight = 4 };

    private static async Task<string> Export(KbSpace space) =>
        string.Join('\n', await space.ExportAsync().Select(MettaPrinter.Print).ToListAsync());

    private static async Task<string> Rules(KbSpace space, string head, int arity) =>
        string.Join('\n', await space.MatchingRulesAsync(head, arity).Select(MettaPrinter.Print).ToListAsync());

    [Fact]
    public async Task A_deactivated_space_recovers_every_acknowledged_change_and_its_rule_order()
    {
        var space = fixture.NewSpace();
        await space.LoadAsync(LoadSource.File(TestData.PathOf("aunt-kg/royal92.metta")), SmallBatches);
        await space.AddRulesAsync(MettaReader.Parse("(= (title $p) (match &self (Individuals $p (Title $t)) $t)) (= ($f $x) nothing) (= (title 8) king)"));
        await space.RemoveAsync(MettaReader.Parse("(Individuals 8 (Title \"Prince\")) (Head (Date (HasDay True)))"));
        var before = (await Export(space), await Rules(space, "title", 1), await space.InfoAsync());

        await fixture.Deactivate(space);

        Assert.True((await space.InfoAsync()).Epoch > before.Item3.Epoch, "the space was not activated again");
        Assert.Equal(before.Item1, await Export(space));
        Assert.Equal(before.Item2, await Rules(space, "title", 1));
        Assert.Equal("(= (title $x0) (match &self (Individuals $x0 (Title $x1)) $x1))\n(= (title 8) king)\n(= ($x0 $x1) nothing)", before.Item2);
        var info = await space.InfoAsync();
        Assert.Equal(53_443 - 2 + 2, info.Atoms);
        Assert.StartsWith($"file {fixture.DataDirectory}", info.Store, StringComparison.Ordinal);

        // The load passed the snapshot bound many times: the space came back from a snapshot and the log after it.
        Assert.True(before.Item3.SnapshotSeq > 0 && before.Item3.SnapshotAtoms > 0, $"{before.Item3}");
    }

    [Fact]
    public async Task Partition_0_activated_again_asks_the_partitions_what_they_hold_at_later_arguments()
    {
        var space = fixture.NewSpace();
        await space.LoadAsync(LoadSource.File(TestData.PathOf("aunt-kg/royal92_simple.metta")), new LoadOptions { Partitions = 8 });
        var pattern = MettaReader.Parse("(parent $p \"@I1972@\")")[0];
        var expected = await space.MatchAsync(pattern, pattern).Select(MettaPrinter.Print).ToListAsync();
        Assert.Equal(2, expected.Count);

        // Partition 0 keeps the partitions' summaries in memory only.
        await fixture.Deactivate(space);
        var before = (await space.InfoAsync()).Partitions!.Sum(partition => partition.Matches);
        Assert.Equal(expected, await space.MatchAsync(pattern, pattern).Select(MettaPrinter.Print).ToListAsync());
        Assert.Equal(before + 1, (await space.InfoAsync()).Partitions!.Sum(partition => partition.Matches));
    }

    [Fact]
    public async Task A_snapshot_taken_while_loads_and_removes_go_on_recovers_to_the_live_space()
    {
        var space = fixture.NewSpace();
        var facts = Royal92ShapedFacts.Generate(60_000);
        await space.AddFactsAsync(facts.Take(20_000), SmallBatches);

        var loading = space.AddFactsAsync(facts.Skip(20_000), SmallBatches);
        var removing = Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                await space.RemoveAsync(facts.Skip(i * 1000).Take(300));
            }
        });
        var snapshots = Task.Run(async () =>
        {
            for (var i = 0; i < 3; i++)
            {
                await space.SnapshotAsync();
            }
        });
        await Task.WhenAll(loading, removing, snapshots);
        var live = await Export(space);
        var count = await space.CountAsync();
        var epoch = (await space.InfoAsync()).Epoch;

        await fixture.Deactivate(space);
        Assert.True((await space.InfoAsync()).Epoch > epoch, "the space was not activated again");

        Assert.Equal(count, await space.CountAsync());
        Assert.Equal(live, await Export(space));
        Assert.Equal(60_000 - (20 * 300), count);
    }

    [Fact]
    public async Task Clear_is_durable_too()
    {
        var space = fixture.NewSpace();
        await space.AddFactsAsync(Royal92ShapedFacts.Generate(5_000));
        await space.SnapshotAsync();
        await space.ClearAsync();
        await space.AddFactsAsync([Atom.Symbol("after-clear")]);
        var epoch = (await space.InfoAsync()).Epoch;

        await fixture.Deactivate(space);
        Assert.True((await space.InfoAsync()).Epoch > epoch, "the space was not activated again");

        Assert.Equal("after-clear", await Export(space));
    }

    [Fact]
    public async Task Snapshot_and_info_say_what_the_store_holds()
    {
        var space = fixture.NewSpace();
        await space.AddFactsAsync(Royal92ShapedFacts.Generate(2_000));
        var logged = await space.InfoAsync();

        var snapshot = await space.SnapshotAsync();

        Assert.Equal(2_000, logged.Atoms);
        Assert.True(logged.LogBytes > 2_000 * 40, $"{logged}");
        Assert.Equal((0L, 0L), (logged.SnapshotAtoms, logged.SnapshotSeq));
        Assert.Equal(2_000, snapshot.SnapshotAtoms);
        Assert.True(snapshot.SnapshotSeq >= 1);
    }

    [Fact]
    public async Task An_ephemeral_space_is_kept_in_memory_apart_from_the_durable_space_of_its_name()
    {
        var durable = fixture.NewSpace();
        var ephemeral = KbSpace.Of(fixture.Cluster.Client, durable.Name, ephemeral: true);
        await durable.AddFactsAsync([Atom.Symbol("durable")]);
        await ephemeral.AddFactsAsync([Atom.Symbol("ephemeral"), Atom.Symbol("scratch")]);

        Assert.Equal(1, await durable.CountAsync());
        Assert.Equal(2, await ephemeral.CountAsync());
        Assert.Equal("memory", (await ephemeral.InfoAsync()).Store);
        Assert.StartsWith("file ", (await durable.InfoAsync()).Store, StringComparison.Ordinal);
    }
}
