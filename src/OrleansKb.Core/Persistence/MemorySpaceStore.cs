namespace OrleansKb.Persistence;

/// <summary>
/// Spaces in memory only (the silo setting <c>Store=Memory</c>): a space lives as long as its
/// activation, in its silo's memory, and costs nothing more; nothing is kept once the silo stops. The
/// store of ephemeral spaces (<c>--ephemeral</c>), of a silo given no other store, and of the
/// in-memory side of <c>orleanskb bench durability</c>.
/// </summary>
public sealed class MemorySpaceStore : ISpaceStore
{
    public string Description => "memory";

    /// <inheritdoc/>
    public Task CheckAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public bool KeepsSpaces => false;

    public Task<IStoredSpace> OpenAsync(string space, CancellationToken cancellationToken = default) => Task.FromResult<IStoredSpace>(new Nothing());

    private sealed class Nothing : IStoredSpace
    {
        public long Epoch => 1;

        public StoredSpaceStats Stats => default;

        public Task<long> RecoverAsync(ISpaceRecovery into, CancellationToken cancellationToken = default) => Task.FromResult(0L);

        public Task Append(LogRecord record) => Task.CompletedTask;

        // Kept by the activation's durable space: a store that keeps nothing forgets it with the space.
        public Spaces.PartitionMap? Partitions => null;

        public Task WritePartitionsAsync(Spaces.PartitionMap map, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task DeleteAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public ISnapshotWriter BeginSnapshot(long sequence) => throw new NotSupportedException("a store that keeps nothing takes no snapshots");

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
