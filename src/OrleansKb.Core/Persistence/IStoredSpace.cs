namespace OrleansKb.Persistence;

/// <summary>One open space of a store: its recovery, its log, its snapshots.</summary>
public interface IStoredSpace : IAsyncDisposable
{
    /// <summary>The epoch this handle was opened with.</summary>
    long Epoch { get; }

    /// <summary>The log's size and the snapshot's sequence and atoms.</summary>
    StoredSpaceStats Stats { get; }

    /// <summary>
    /// Hands the newest snapshot (its atoms in key order, then its rules in insertion order), then
    /// every log record after it in sequence order, to <paramref name="into"/>. Returns the last
    /// sequence number recovered (0 for a new space). Damage is a <see cref="StoreCorruptedException"/>.
    /// </summary>
    Task<long> RecoverAsync(ISpaceRecovery into, CancellationToken cancellationToken = default);

    /// <summary>
    /// The bytes <see cref="RecoverAsync"/> would read — the newest snapshot's and the log's after it —
    /// known before it runs (0 for a store that recovers nothing): what a host weighs against its
    /// memory before recovering a space.
    /// </summary>
    Task<long> RecoveryBytesAsync(CancellationToken cancellationToken = default) => Task.FromResult(0L);

    /// <summary>
    /// Appends a record, whose sequence number must follow the last one's. Returns at once; the task
    /// completes when the record is durable (appends made meanwhile share one flush). Refused with
    /// <see cref="StaleEpochException"/> once the space has been opened again.
    /// </summary>
    Task Append(LogRecord record);

    /// <summary>
    /// The partition map this space was last given (docs/cluster.md, "Partitioned spaces"), read when
    /// the space is recovered; null for a space never divided. Damage is a <see cref="StoreCorruptedException"/>.
    /// </summary>
    Spaces.PartitionMap? Partitions { get; }

    /// <summary>
    /// Replaces the space's partition map, durably: it is <see cref="Partitions"/> for every later
    /// activation once the task completes. Refused with <see cref="StaleEpochException"/> once the
    /// space has been opened again.
    /// </summary>
    Task WritePartitionsAsync(Spaces.PartitionMap map, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes what the store keeps of this space — its log, its snapshots and its partition map — once
    /// the appends made before are durable: what a partition that left its space's map does. Nothing is
    /// written through this handle after it, and the space opened again is new and empty. Refused with
    /// <see cref="StaleEpochException"/> once the space has been opened again.
    /// </summary>
    Task DeleteAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts a snapshot of the state at <paramref name="sequence"/> (the last record appended):
    /// later records go to a new log segment, which the snapshot will not cover.
    /// </summary>
    ISnapshotWriter BeginSnapshot(long sequence);
}
