using OrleansKb.Persistence;

namespace OrleansKb.Tests;

/// <summary>
/// A store whose appends become durable only when the test says (<see cref="MakeDurable"/>) or fail
/// when it says (<see cref="Fail"/>); it keeps nothing, so a space in it takes no snapshots.
/// </summary>
internal sealed class GatedSpaceStore : ISpaceStore, IStoredSpace
{
    private readonly List<TaskCompletionSource> _pending = [];

    public List<LogRecord> Appended { get; } = [];

    public Exception? AppendFailure { get; set; }

    public string Description => "gated";

    public bool KeepsSpaces => false;

    public long Epoch => 1;

    public StoredSpaceStats Stats => new(Appended.Sum(r => (long)r.Atoms.Length), 0, 0);

    public Task<IStoredSpace> OpenAsync(string space, CancellationToken cancellationToken = default) => Task.FromResult<IStoredSpace>(this);

    public Task CheckAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<long> RecoverAsync(ISpaceRecovery into, CancellationToken cancellationToken = default) => Task.FromResult(0L);

    public Task Append(LogRecord record)
    {
        if (AppendFailure is { } failure)
        {
            throw failure;
        }

        Appended.Add(record with { Atoms = record.Atoms.ToArray() });
        var durable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending.Add(durable);
        return durable.Task;
    }

    public OrleansKb.Spaces.PartitionMap? Partitions { get; private set; }

    public Task WritePartitionsAsync(OrleansKb.Spaces.PartitionMap map, CancellationToken cancellationToken = default)
    {
        Partitions = map;
        return Task.CompletedTask;
    }

    public Task DeleteAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public ISnapshotWriter BeginSnapshot(long sequence) => throw new NotSupportedException();

    /// <summary>Every append so far becomes durable.</summary>
    public void MakeDurable()
    {
        _pending.ForEach(p => p.SetResult());
        _pending.Clear();
    }

    /// <summary>Every append waiting fails, as a failed flush fails them.</summary>
    public void Fail(Exception error)
    {
        _pending.ForEach(p => p.SetException(error));
        _pending.Clear();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
