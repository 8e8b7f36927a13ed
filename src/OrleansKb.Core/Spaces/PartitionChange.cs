namespace OrleansKb.Spaces;

/// <summary>What a change of a space's partition map did: the map the space then has, the atoms copied to new partitions, and how long it took.</summary>
public sealed record PartitionChange(PartitionMap Map, long AtomsMoved, TimeSpan Elapsed);
