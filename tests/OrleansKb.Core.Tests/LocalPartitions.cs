using System.Collections.Concurrent;
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
    // Copies send batches to several partitions at once: each is opened once, by whichever asks first.
    private readonly ConcurrentDictionary<int, Lazy<Task<DurableSpace>>> _open = [];

    // A grain runs one call at a time; copies send several batches at once, so each target takes them in turn here.
    private readonly ConcurrentDictionary<int, SemaphoreSlim> _turns = [];

    /// <summary>Runs before a partition copies its atoms (a test holds a change there, or fails it).</summary>
    public Func<int, Task> BeforeCopy { get; set; } = _ => Task.CompletedTask;

    public Task<DurableSpace> Open(int partition) => _open.GetOrAdd(
        partition,
        id => new Lazy<Task<DurableSpace>>(() => DurableSpace.OpenAsync(PartitionNames.Of(space, id), store, 1L << 30, new RecordingObserver()))).Value;

    /// <summary>Closes every partition, as a crash of their silo does (what is durable stays).</summary>
    public async Task CloseAll()
    {
        foreach (var partition in _open.Values)
        {
            await (await partition.Value).CloseAsync();
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

    public async Task<IReadOnlyList<byte[]>> SampleAsync(int partition, long every) => (await Open(partition)).SampleKeys(every);

    public async Task PrepareAsync(int partition, PartitionMap map) => await (await Open(partition)).TakeRangeAsync(map);

    public async Task SealAsync(int partition, long epoch) => (await Open(partition)).Seal(epoch);

    public async Task UnsealAsync(int partition, long epoch) => (await Open(partition)).Unseal(epoch);

    public async Task<long> CopyAsync(int partition, PartitionMap map)
    {
        await BeforeCopy(partition);
        return await (await Open(partition)).CopyToAsync(map, async (index, operation, batch) =>
        {
            var atoms = batch.WrittenMemory.ToArray();
            var turn = _turns.GetOrAdd(map.Ids[index], _ => new SemaphoreSlim(1));
            await turn.WaitAsync();
            try
            {
                var target = await Open(map.Ids[index]);
                target.CheckRouting(map.Epoch);
                await (operation == LogOperation.AddRules ? target.AddRulesAsync(atoms) : target.AddFactsAsync(atoms));
            }
            finally
            {
                turn.Release();
            }
        });
    }

    public async Task CommittedAsync(int partition, long epoch) => (await Open(partition)).Committed(epoch);

    /// <summary>Runs before a partition is asked to retire (a test makes it unreachable there).</summary>
    public Func<int, Task> BeforeRetire { get; set; } = _ => Task.CompletedTask;

    public async Task<bool> RetireAsync(int partition, long epoch)
    {
        await BeforeRetire(partition);
        var retiring = await Open(partition);
        retiring.Retire(epoch);
        await retiring.DropAsync();
        return retiring.StoreDeleted;
    }
}
