using OrleansKb.Codec;
using OrleansKb.Persistence;
using OrleansKb.Spaces;

namespace OrleansKb.Tests;

/// <summary>
/// A space's partitions as <see cref="DurableSpace"/>s in one store, opened on first use: what a
/// partition 0 asks of them while it changes the map (<see cref="IPartitionPeers"/>), without a cluster.
/// </summary>
internal sealed class LocalPartitions(ISpaceStore store, string space) : IPartitionPeers
{
    private readonly Dictionary<int, DurableSpace> _open = [];

    /// <summary>Runs before a partition copies its atoms (a test holds a change there, or fails it).</summary>
    public Func<int, Task> BeforeCopy { get; set; } = _ => Task.CompletedTask;

    public async Task<DurableSpace> Open(int partition)
    {
        if (!_open.TryGetValue(partition, out var opened))
        {
            opened = await DurableSpace.OpenAsync(PartitionNames.Of(space, partition), store, 1L << 30, new RecordingObserver());
            _open[partition] = opened;
        }

        return opened;
    }

    /// <summary>Closes every partition, as a crash of their silo does (what is durable stays).</summary>
    public async Task CloseAll()
    {
        foreach (var partition in _open.Values)
        {
            await partition.CloseAsync();
        }

        _open.Clear();
    }

    /// <summary>The space's atoms by the map partition 0 holds: each partition's in key order.</summary>
    public async Task<List<string>> Export()
    {
        var map = (await Open(0)).Partitions;
        var atoms = new List<string>();
        foreach (var id in map.Ids)
        {
            atoms.AddRange((await Open(id)).Atoms.Export().Select(atom => atom.ToString()));
        }

        return atoms;
    }

    /// <summary>Adds facts routed by the map partition 0 holds, as a client does.</summary>
    public async Task<int> AddFacts(ReadOnlyMemory<byte> batch)
    {
        var map = (await Open(0)).Partitions;
        var parts = map.Ids.Select(_ => new EncodedAtomWriter()).ToArray();
        map.Route(batch.Span, parts);
        var added = 0;
        for (var i = 0; i < parts.Length; i++)
        {
            var partition = await Open(map.Ids[i]);
            partition.CheckRouting(map.Epoch);
            added += parts[i].AtomCount == 0 ? 0 : await partition.AddFactsAsync(parts[i].WrittenMemory);
        }

        return added;
    }

    public async Task<long> CountAsync(int partition) => (await Open(partition)).Atoms.Count;

    public async Task<IReadOnlyList<byte[]>> SampleAsync(int partition, long every) => await (await Open(partition)).SampleKeysAsync(every);

    public async Task PrepareAsync(int partition, PartitionMap map) => await (await Open(partition)).TakeRangeAsync(map);

    public async Task SealAsync(int partition, long epoch) => (await Open(partition)).Seal(epoch);

    public async Task UnsealAsync(int partition, long epoch) => (await Open(partition)).Unseal(epoch);

    public async Task<long> CopyAsync(int partition, PartitionMap map)
    {
        await BeforeCopy(partition);
        return await (await Open(partition)).CopyToAsync(map, async (index, operation, batch) =>
        {
            var target = await Open(map.Ids[index]);
            target.CheckRouting(map.Epoch);
            var atoms = batch.WrittenMemory.ToArray();
            await (operation == LogOperation.AddRules ? target.AddRulesAsync(atoms) : target.AddFactsAsync(atoms));
        });
    }

    public async Task RetireAsync(int partition, long epoch)
    {
        var retiring = await Open(partition);
        retiring.Retire(epoch);
        await retiring.DropAsync();
    }
}
