using OrleansKb.Spaces;

namespace OrleansKb.Grains;

/// <summary>
/// A space's partitions as one of them asks the others (partition 0 while it changes the map): their
/// grains, of the grain type of the asking one — and the asking one itself, called directly in its own
/// turn (through a reference it would wait for itself should it be deactivating).
/// </summary>
internal sealed class GrainPartitionPeers(IGrainFactory grains, GrainType type, string space, int partition, IPartitionGrain self) : IPartitionPeers
{
    public IPartitionGrain Grain(int number) => number == partition ? self : grains.GetGrain<IPartitionGrain>(GrainId.Create(type, PartitionNames.Of(space, number)));

    /// <summary>Partition <paramref name="number"/> as clients see it (for the calls that carry a map's epoch).</summary>
    public IEnvironmentGrain Space(int number) => grains.GetGrain<IEnvironmentGrain>(GrainId.Create(type, PartitionNames.Of(space, number)));

    public Task<long> CountAsync(int partition) => Grain(partition).AtomCount();

    public async Task<IReadOnlyList<byte[]>> SampleAsync(int partition, long every) => await Grain(partition).SampleKeys(every);

    public Task PrepareAsync(int partition, PartitionMap map) => Grain(partition).TakeRange(ForTheWire(map));

    public Task SealAsync(int partition, long epoch) => Grain(partition).Seal(epoch);

    public Task UnsealAsync(int partition, long epoch) => Grain(partition).Unseal(epoch);

    public Task<long> CopyAsync(int partition, PartitionMap map) => Grain(partition).CopyTo(ForTheWire(map));

    public Task<bool> RetireAsync(int partition, long epoch) => Grain(partition).Retire(epoch);

    public Task CommittedAsync(int partition, long epoch) => Grain(partition).Committed(epoch);

    public static SpacePartitions ForTheWire(PartitionMap map) => new(map.Epoch, [.. map.Ids], [.. map.Splits]);

    public static PartitionMap FromTheWire(SpacePartitions map) => new(map.Epoch, map.Ids, map.Splits);
}
