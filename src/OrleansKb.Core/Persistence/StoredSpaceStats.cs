namespace OrleansKb.Persistence;

/// <summary>What a space's store holds: the log's size, and the snapshot it recovers from (sequence 0 and no atoms when there is none).</summary>
public readonly record struct StoredSpaceStats(long LogBytes, long SnapshotSequence, long SnapshotAtoms);
