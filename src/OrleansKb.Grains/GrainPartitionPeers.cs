using OrleansKb.Spaces;

namespace OrleansKb.Grains;

/// <summary>A space's partitions as partition 0 asks them while it changes the map: their grains, of the grain type of the asking one.</summary>
internal sealed class GrainPartitionPeers(IGrainFactory grains, GrainType type, string space) : IPartitionPeers
{
    public IPartitionGrain Grain(int partition) => grains.GetGrain<IPartitionGrain>(GrainId.Create(type, PartitionNames.Of(space, partition)));

    public Task<long> CountAsync(int partition) => Grain(partition).AtomCount();

    public async Task<IReadOnlyList<byte[]>> SampleAsync(int partition, long every) => await Grain(partition).SampleKeys(every);

    public Task PrepareAsync(int partition, PartitionMap map) => Grain(partition).TakeRange(ForTheWire(map));

    public Task SealAsync(int partition, long epoch) => Grain(partition).Seal(epoch);

    public Task UnsealAsync(int partition, long epoch) => Grain(partition).Unseal(epoch);

    public Task<long> CopyAsync(int partition, PartitionMap map) => Grain(partition).CopyTo(ForTheWire(map));

    public Task RetireAsync(int partition, long epoch) => Grain(partition).Retire(epoch);

    public static SpacePartitions ForTheWire(PartitionMap map) => new(map.Epoch, [.. map.Ids], [.. map.Splits]);

    public static PartitionMap FromTheWire(SpacePartitions map) => new(map.Epoch, map.Ids, map.Splits);
}
