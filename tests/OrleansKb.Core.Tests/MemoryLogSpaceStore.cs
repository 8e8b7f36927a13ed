using System.Collections.Concurrent;
using OrleansKb.Persistence;
using OrleansKb.Spaces;

namespace OrleansKb.Tests;

/// <summary>
/// A store that keeps each space's log and snapshots in this process's memory, under the same
/// contract as the file store (epochs, consecutive sequence numbers, snapshots that drop the log they
/// cover): a space survives its grain's deactivation, not the process. For tests of recovery without
/// a disk; a silo's spaces in memory are <see cref="MemorySpaceStore"/>'s, which costs no more than
/// their atoms.
/// </summary>
internal sealed class MemoryLogSpaceStore : ISpaceStore
{
    private readonly ConcurrentDictionary<string, Space> _spaces = new(StringComparer.Ordinal);

    public string Description => "memory log";

    /// <inheritdoc/>
    public Task CheckAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public bool KeepsSpaces => true;

    public Task<IStoredSpace> OpenAsync(string space, CancellationToken cancellationToken = default)
    {
        var stored = _spaces.GetOrAdd(space, _ => new Space());
        lock (stored)
        {
            return Task.FromResult<IStoredSpace>(new Handle(space, stored, ++stored.Epoch));
        }
    }

    private sealed class Space
    {
        public long Epoch;
        public long LastSequence;
        public List<LogRecord> Log = [];
        public long LogBytes;
        public Snapshot? Snapshot;
        public PartitionMap? Partitions;
    }

    private sealed record Snapshot(long Sequence, List<byte[]> Atoms, List<byte[]> Rules, long AtomCount);

    private sealed class Handle(string name, Space space, long epoch) : IStoredSpace
    {
        public long Epoch => epoch;

        public StoredSpaceStats Stats
        {
            get
            {
                lock (space)
                {
                    return new StoredSpaceStats(space.LogBytes, space.Snapshot?.Sequence ?? 0, space.Snapshot?.AtomCount ?? 0);
                }
            }
        }

        public Task<long> RecoverAsync(ISpaceRecovery into, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(into);
            lock (space)
            {
                if (space.Snapshot is { } snapshot)
                {
                    snapshot.Atoms.ForEach(chunk => into.SnapshotAtoms(chunk));
                    snapshot.Rules.ForEach(chunk => into.SnapshotRules(chunk));
                }

                space.Log.ForEach(into.Record);
                Partitions = space.Partitions;
                return Task.FromResult(space.LastSequence);
            }
        }

        public Task Append(LogRecord record)
        {
            lock (space)
            {
                CheckEpoch();
                if (record.Sequence != space.LastSequence + 1)
                {
                    throw new InvalidOperationException($"space '{name}': record {record.Sequence} does not follow {space.LastSequence}");
                }

                if (record.Operation == LogOperation.Clear)
                {
                    // Nothing before a clear matters any more.
                    space.Log.Clear();
                    space.Snapshot = null;
                    space.LogBytes = 0;
                }

                space.Log.Add(record with { Atoms = record.Atoms.ToArray() });
                space.LogBytes += record.Atoms.Length;
                space.LastSequence = record.Sequence;
                return Task.CompletedTask;
            }
        }

        public PartitionMap? Partitions { get; private set; }

        public Task WritePartitionsAsync(PartitionMap map, CancellationToken cancellationToken = default)
        {
            lock (space)
            {
                CheckEpoch();
                Partitions = space.Partitions = map;
                return Task.CompletedTask;
            }
        }

        public Task DeleteAsync(CancellationToken cancellationToken = default)
        {
            lock (space)
            {
                CheckEpoch();
                (space.LastSequence, space.Log, space.LogBytes, space.Snapshot, space.Partitions) = (0, [], 0, null, null);
                return Task.CompletedTask;
            }
        }

        public ISnapshotWriter BeginSnapshot(long sequence)
        {
            lock (space)
            {
                CheckEpoch();
                return new Writer(this, sequence);
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private void CheckEpoch()
        {
            if (space.Epoch != epoch)
            {
                throw new StaleEpochException($"space '{name}' was opened again (epoch {space.Epoch}); this activation (epoch {epoch}) may no longer write");
            }
        }

        private void Publish(Snapshot snapshot)
        {
            lock (space)
            {
                CheckEpoch();
                space.Snapshot = snapshot;
                space.Log = [.. space.Log.Where(r => r.Sequence > snapshot.Sequence)];
                space.LogBytes = space.Log.Sum(r => (long)r.Atoms.Length);
            }
        }

        private sealed class Writer(Handle handle, long sequence) : ISnapshotWriter
        {
            private readonly List<byte[]> _atoms = [];
            private readonly List<byte[]> _rules = [];
            private long _atomCount;

            public Task WriteAtomsAsync(ReadOnlyMemory<byte> atoms, int count, CancellationToken cancellationToken = default)
            {
                _atoms.Add(atoms.ToArray());
                _atomCount += count;
                return Task.CompletedTask;
            }

            public Task WriteRulesAsync(ReadOnlyMemory<byte> rules, int count, CancellationToken cancellationToken = default)
            {
                _rules.Add(rules.ToArray());
                return Task.CompletedTask;
            }

            public Task PublishAsync(CancellationToken cancellationToken = default)
            {
                handle.Publish(new Snapshot(sequence, _atoms, _rules, _atomCount));
                return Task.CompletedTask;
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
