using OrleansKb.Codec;
using OrleansKb.Persistence;
using OrleansKb.Spaces;
using OrleansKb.Text;

namespace OrleansKb.Tests;

/// <summary>Changing a space's partition map (<see cref="DurableSpace.ChangePartitionsAsync"/>, docs/cluster.md), partitions in one data directory, without a cluster.</summary>
public sealed class PartitionChangeTests : IDisposable
{
    private readonly string _directory;
    private readonly FileSpaceStore _store;
    private readonly LocalPartitions _space;

    public PartitionChangeTests()
    {
        _directory = Directory.CreateTempSubdirectory("orleanskb-partitions-").FullName;
        _store = new FileSpaceStore(_directory);
        _space = new LocalPartitions(_store, "kb");
    }

    public void Dispose()
    {
        _space.CloseAll().GetAwaiter().GetResult();
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static byte[] Batch(string text) => [.. MettaReader.Parse(text).SelectMany(AtomEncoder.Encode)];

    private static byte[] Key(string atom) => AtomEncoder.Encode(Assert.Single(MettaReader.Parse(atom)));

    private static string Facts(int from, int count) => string.Join(' ', Enumerable.Range(from, count).Select(i => $"(parent P{i:D5} C{i % 97})"));

    private async Task<PartitionChange> Change(Func<PartitionMap, PartitionMap?> plan) =>
        await (await _space.Open(0)).ChangePartitionsAsync(current => Task.FromResult(plan(current)), _space);

    /// <summary>Into <paramref name="partitions"/> new partitions cut at the quantiles of an even sample of the space's keys, as a repartition does.</summary>
    private async Task<PartitionChange> Repartition(int partitions)
    {
        var zero = await _space.Open(0);
        return await zero.ChangePartitionsAsync(
            async current =>
            {
                var sample = new List<byte[]>();
                foreach (var id in current.Ids)
                {
                    sample.AddRange(await _space.SampleAsync(id, 7));
                }

                return current.Redivided(PartitionMap.SplitsOf(sample, partitions));
            },
            _space);
    }

    [Fact]
    public async Task An_empty_space_divided_as_it_is_created_keeps_its_map_in_partition_zero_and_each_partition_takes_only_its_range()
    {
        var change = await Change(current => current.Redivided([Key("(parent P00300 C0)"), Key("(parent P00600 C0)")]));

        Assert.Equal(1, change.Map.Epoch);
        Assert.Equal([1, 2, 3], change.Map.Ids);
        Assert.Equal(0, change.AtomsMoved);
        var zero = await _space.Open(0);
        Assert.Throws<WrongPartitionException>(() => zero.CheckRouting(1));
        Assert.Equal(1_000, await _space.AddFacts(Batch(Facts(0, 1_000))));
        var counts = new List<long>();
        foreach (var id in change.Map.Ids)
        {
            counts.Add(await _space.CountAsync(id));
        }

        Assert.Equal([300, 300, 400], counts);
        var refused = await Assert.ThrowsAsync<WrongPartitionException>(async () => await (await _space.Open(1)).AddFactsAsync(Batch("(parent P00299 C0) (parent P00301 C0)")));
        Assert.Contains("partition 2", refused.Message, StringComparison.Ordinal);
        Assert.Throws<WrongPartitionException>(() => zero.CheckRouting(0));

        await _space.CloseAll();
        Assert.Equal(change.Map.Splits, (await _space.Open(0)).Partitions.Splits);
        Assert.Equal(1_000, (await _space.Export()).Count);
    }

    [Fact]
    public async Task A_repartition_copies_every_atom_and_rule_to_new_partitions_then_the_old_ones_drop_theirs_and_a_split_cuts_one_in_two()
    {
        var zero = await _space.Open(0);
        await zero.AddRulesAsync(Batch("(= (g $x) 2) (= (f $x) 1) (= (g $x) 1)"));
        Assert.Equal(3_000, await _space.AddFacts(Batch(Facts(0, 3_000))));
        var before = await _space.Export();

        var change = await Repartition(4);

        Assert.Equal(4, change.Map.Count);
        Assert.Equal(3_003, change.AtomsMoved);
        Assert.Equal(before, await _space.Export());
        Assert.Equal(0, zero.Atoms.Count);
        var rules = change.Map.Ids.Select(id => _space.Open(id).Result.Atoms.MatchingRules("g", 1)).Single(found => found.Count > 0);
        Assert.Equal(["(= (g $x0) 2)", "(= (g $x0) 1)"], rules.Select(rule => rule.ToString()));

        var largest = change.Map.Ids.OrderByDescending(id => _space.Open(id).Result.Atoms.Count).First();
        var split = await Change(current => current.SplitAt(
            current.IndexOfPartition(largest), _space.SampleAsync(largest, 1).Result[(int)_space.CountAsync(largest).Result / 2]));

        Assert.Equal(5, split.Map.Count);
        Assert.Equal(2, split.Map.Epoch);
        Assert.DoesNotContain(largest, split.Map.Ids);
        Assert.Equal(before, await _space.Export());
        Assert.True((await _space.Open(largest)).Retired);

        // A retired partition leaves nothing in the store: the data directory holds partition 0's folder (it keeps the map) and the map's partitions'.
        Assert.Equal(
            split.Map.Ids.Append(0).Distinct().Select(id => SpaceFolderName.For(PartitionNames.Of("kb", id))).Order(StringComparer.Ordinal),
            Directory.GetDirectories(Path.Combine(_directory, "spaces")).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // What is durable: the new partitions hold everything, the old ones nothing.
        await _space.CloseAll();
        Assert.Equal(before, await _space.Export());
        Assert.Equal(0, (await _space.Open(0)).Atoms.Count);
        var reopened = await _space.Open(largest);
        Assert.Equal(0, reopened.Atoms.Count);

        // Activated again by a call of an older map, the deleted partition (its store made anew, empty)
        // is retired when it asks partition 0, and deletes that store again — unless a change is under
        // way, which it could be new in.
        Assert.Contains(SpaceFolderName.For(PartitionNames.Of("kb", largest)), Directory.GetDirectories(Path.Combine(_directory, "spaces")).Select(Path.GetFileName));
        reopened.Reconcile((await _space.Open(0)).Partitions, changingTo: split.Map.Epoch + 1);
        Assert.False(reopened.Retired);
        reopened.Reconcile((await _space.Open(0)).Partitions, changingTo: 0);
        Assert.True(reopened.Retired);
        await reopened.DropAsync();
        Assert.DoesNotContain(SpaceFolderName.For(PartitionNames.Of("kb", largest)), Directory.GetDirectories(Path.Combine(_directory, "spaces")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_write_to_a_partition_being_moved_waits_and_is_then_refused_for_the_new_map_with_nothing_applied()
    {
        Assert.Equal(500, await _space.AddFacts(Batch(Facts(0, 500))));
        var copying = new TaskCompletionSource();
        var proceed = new TaskCompletionSource();
        _space.BeforeCopy = async _ =>
        {
            copying.TrySetResult();
            await proceed.Task;
        };
        var change = Repartition(2);
        await copying.Task;
        var zero = await _space.Open(0);

        var held = zero.AddFactsAsync(Batch("(parent P99999 C1)"));
        zero.CheckRouting(0); // reads are answered meanwhile
        Assert.Equal(500, zero.Atoms.Count);
        Assert.False(held.IsCompleted);
        proceed.SetResult();

        var refused = await Assert.ThrowsAsync<WrongPartitionException>(() => held);
        Assert.Equal(1, refused.Epoch);
        Assert.Equal(2, (await change).Map.Count);
        Assert.Equal(1, await _space.AddFacts(Batch("(parent P99999 C1)")));
        Assert.Equal(501, (await _space.Export()).Count);
    }

    [Fact]
    public async Task A_new_partition_indexes_its_atoms_only_once_the_change_that_fills_it_is_committed()
    {
        Assert.Equal(900, await _space.AddFacts(Batch(Facts(0, 900))));
        await Repartition(2);
        var before = (await _space.Open(0)).Partitions;
        var proceed = new TaskCompletionSource();
        _space.BeforeCopy = id => id == before.Ids[^1] ? proceed.Task : Task.CompletedTask;
        var change = Repartition(4);

        // The first leaving partition's atoms reach a new partition while the second's copy is held.
        DurableSpace? filled = null;
        for (var tries = 0; filled is null && tries < 200; tries++)
        {
            await Task.Delay(10);
            foreach (var id in Enumerable.Range(before.NextId, 4))
            {
                filled ??= await _space.Open(id) is { Atoms.Count: > 0 } partition ? partition : null;
            }
        }

        Assert.NotNull(filled);
        await Task.Delay(TimeSpan.FromMilliseconds(700)); // past the quiet a space waits for before it indexes
        Assert.False(filled.CatchUpIndex());
        Assert.False(filled.Atoms.IndexIsComplete);

        proceed.SetResult();
        await change;
        await Task.Delay(TimeSpan.FromMilliseconds(700));
        var caughtUp = false;
        for (var turns = 0; !caughtUp && turns < 1000; turns++)
        {
            caughtUp = filled.CatchUpIndex();
        }

        Assert.True(caughtUp);
        Assert.True(filled.Atoms.IndexIsComplete);
    }

    [Fact]
    public async Task A_change_that_fails_is_given_up_the_old_partitions_take_writes_again_and_its_new_partitions_delete_their_stores()
    {
        Assert.Equal(800, await _space.AddFacts(Batch(Facts(0, 800))));
        var failOnce = true;
        _space.BeforeCopy = _ => failOnce ? throw new IOException("the copy's target went away") : Task.CompletedTask;

        await Assert.ThrowsAsync<IOException>(() => Repartition(3));

        var zero = await _space.Open(0);
        Assert.Equal(0, zero.Partitions.Epoch);
        Assert.Equal(0, zero.SealedFor);
        Assert.Empty(zero.Partitions.Retiring);
        Assert.Equal([Folder(0)], Folders());
        Assert.Equal(1, await _space.AddFacts(Batch("(parent P99999 C1)")));

        // Given up again, and its new partitions not reached then (as if the silo died): they are in the
        // stored map as retiring, and partition 0 deletes them once it is opened again.
        _space.BeforeRetire = _ => throw new IOException("its silo is down");
        var given = await Assert.ThrowsAsync<IOException>(() => Repartition(2));
        Assert.Equal("the copy's target went away", given.Message);
        Assert.Equal(2, zero.Partitions.Retiring.Count);
        await _space.CloseAll();
        _space.BeforeRetire = _ => Task.CompletedTask;
        zero = await _space.Open(0);
        Assert.Equal(2, zero.Partitions.Retiring.Count);
        await zero.RetireLeftPartitionsAsync(_space);
        Assert.Empty(zero.Partitions.Retiring);
        Assert.Equal([Folder(0)], Folders());

        failOnce = false;
        var change = await Repartition(3);
        Assert.Equal(1, change.Map.Epoch);
        Assert.All(change.Map.Ids, id => Assert.True(id > 5, "a number given in a change given up is not given again"));
        Assert.Equal(801, (await _space.Export()).Count);
        Assert.Equal(change.Map.Ids.Append(0).Select(Folder).Order(StringComparer.Ordinal), Folders().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_partition_not_reached_when_it_left_the_map_is_asked_again_by_partition_zero_until_its_store_is_deleted()
    {
        Assert.Equal(600, await _space.AddFacts(Batch(Facts(0, 600))));
        var first = (await Repartition(3)).Map;
        var unreachable = first.Ids[1];
        _space.BeforeRetire = partition => partition == unreachable ? throw new IOException("its silo is down") : Task.CompletedTask;

        var second = (await Repartition(2)).Map;

        // Committed without it: the map keeps it as retiring, and its store its atoms.
        Assert.Equal([unreachable], second.Retiring);
        Assert.Contains(Folder(unreachable), Folders());
        Assert.Equal(600, (await _space.Export()).Count);

        // Partition 0 goes on with the list after a restart, and asks again once it can be reached.
        await _space.CloseAll();
        var zero = await _space.Open(0);
        Assert.Equal([unreachable], zero.Partitions.Retiring);
        await zero.RetireLeftPartitionsAsync(_space);
        Assert.Equal([unreachable], zero.Partitions.Retiring);
        _space.BeforeRetire = _ => Task.CompletedTask;
        await zero.RetireLeftPartitionsAsync(_space);

        Assert.Empty(zero.Partitions.Retiring);
        Assert.Equal(
            second.Ids.Append(0).Distinct().Select(Folder).Order(StringComparer.Ordinal),
            Folders().Order(StringComparer.Ordinal));
        await _space.CloseAll();
        Assert.Empty((await _space.Open(0)).Partitions.Retiring);
        Assert.Equal(600, (await _space.Export()).Count);
        Assert.True(second.NextId > unreachable);
    }

    private static string Folder(int partition) => SpaceFolderName.For(PartitionNames.Of("kb", partition));

    private IEnumerable<string> Folders() => Directory.GetDirectories(Path.Combine(_directory, "spaces")).Select(path => Path.GetFileName(path)!);

    [Fact]
    public async Task A_partition_that_missed_its_retirement_retires_when_it_reconciles_with_partition_zero_and_a_given_up_seal_is_lifted()
    {
        Assert.Equal(400, await _space.AddFacts(Batch(Facts(0, 400))));
        await Repartition(2);
        var first = await Repartition(3);
        var moved = (await Repartition(2)).Map;

        // A partition of the previous map, as if the coordinator had died before telling it: reopened from its store.
        var stale = first.Map.Ids[0];
        await _space.CloseAll();
        var reopened = await _space.Open(stale);
        Assert.False(reopened.Retired);
        reopened.Reconcile(moved, changingTo: 0);
        Assert.True(reopened.Retired);
        await reopened.DropAsync();
        Assert.Equal(0, reopened.Atoms.Count);
        Assert.Throws<WrongPartitionException>(() => reopened.CheckRouting(moved.Epoch));

        var kept = await _space.Open(moved.Ids[0]);
        kept.Seal(moved.Epoch + 1);
        kept.Reconcile(moved, changingTo: moved.Epoch + 1);
        Assert.Equal(moved.Epoch + 1, kept.SealedFor);
        kept.Reconcile(moved, changingTo: 0);
        Assert.Equal(0, kept.SealedFor);
        kept.CheckRouting(moved.Epoch);
        Assert.Equal(400, (await _space.Export()).Count);
    }
}
