namespace OrleansKb.Spaces;

/// <summary>
/// What a space's partition 0 asks of the space's partitions, by number, while it changes the
/// space's map (<see cref="DurableSpace.ChangePartitionsAsync"/>): a grain calls the partitions'
/// grains; a test calls <see cref="DurableSpace"/>s in memory.
/// </summary>
public interface IPartitionPeers
{
    /// <summary>The partition's atoms.</summary>
    Task<long> CountAsync(int partition);

    /// <summary>Every <paramref name="every"/>-th of the partition's keys, in key order, from the first (<see cref="DurableSpace.SampleKeys"/>).</summary>
    Task<IReadOnlyList<byte[]>> SampleAsync(int partition, long every);

    /// <summary>A new partition takes its range of <paramref name="map"/> (<see cref="DurableSpace.TakeRangeAsync"/>).</summary>
    Task PrepareAsync(int partition, PartitionMap map);

    /// <summary>A partition that is to leave the map holds its changes (<see cref="DurableSpace.Seal"/>).</summary>
    Task SealAsync(int partition, long epoch);

    /// <summary>A change was given up: the partition takes changes again (<see cref="DurableSpace.Unseal"/>).</summary>
    Task UnsealAsync(int partition, long epoch);

    /// <summary>The partition copies its atoms to the partitions of <paramref name="map"/> that hold them; returns how many (<see cref="DurableSpace.CopyToAsync"/>).</summary>
    Task<long> CopyAsync(int partition, PartitionMap map);

    /// <summary>
    /// The change to the map of <paramref name="epoch"/> is committed without the partition: it refuses
    /// every call from now on and drops its atoms (<see cref="DurableSpace.Retire"/>). True once it has
    /// deleted what its store keeps of it; false while a match it serves is still open.
    /// </summary>
    Task<bool> RetireAsync(int partition, long epoch);

    /// <summary>The change is committed: a new partition of it indexes its atoms from now on (<see cref="DurableSpace.Committed"/>).</summary>
    Task CommittedAsync(int partition, long epoch);
}
