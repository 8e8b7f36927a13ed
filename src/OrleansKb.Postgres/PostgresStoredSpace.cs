using System.Buffers;
using System.Data;
using System.IO.Hashing;
using Npgsql;

namespace OrleansKb.Persistence.Postgres;

/// <summary>
/// One space of a <see cref="PostgresSpaceStore"/>. Appends wait in memory for the flusher, which
/// writes every waiting record in one transaction — fenced by the space's epoch — and completes them
/// all when it commits (group commit).
/// </summary>
internal sealed class PostgresStoredSpace : IStoredSpace
{
    private readonly PostgresSpaceStore _store;
    private readonly string _name;
    private readonly Lock _sync = new();
    private long _snapshotId;
    private long _snapshotSequence;
    private long _snapshotAtoms;
    private long _logBytes;

    // Set once this activation deleted the space (DeleteAsync).
    private bool _deleted;

    // Group commit: the records waiting for the next transaction.
    private readonly GroupCommit<List<PendingRecord>> _commits;

    // The partition map as the space's row held it when opened: read by the recovery, which tells its damage.
    private readonly byte[]? _storedPartitions;

    public PostgresStoredSpace(PostgresSpaceStore store, string name, long epoch, long snapshotId, long snapshotSequence, long snapshotAtoms, byte[]? partitions)
    {
        _store = store;
        _name = name;
        Epoch = epoch;
        _storedPartitions = partitions;
        (_snapshotId, _snapshotSequence, _snapshotAtoms) = (snapshotId, snapshotSequence, snapshotAtoms);
        _commits = new(_sync, () => [], CommitAsync);
    }

    public long Epoch { get; }

    public Spaces.PartitionMap? Partitions { get; private set; }

    /// <summary>How many transactions have made appends durable: fewer than the appends when they are grouped.</summary>
    internal long Flushes => _commits.Commits;

    public StoredSpaceStats Stats
    {
        get
        {
            lock (_sync)
            {
                return new StoredSpaceStats(_logBytes, _snapshotSequence, _snapshotAtoms);
            }
        }
    }

    // The space's row holds this activation's snapshot until it publishes another.
    public Task<long> RecoveryBytesAsync(CancellationToken cancellationToken = default) => _store.RecoveryBytesOfAsync(_name, cancellationToken);

    public async Task<long> RecoverAsync(ISpaceRecovery into, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(into);
        try
        {
            Partitions = _storedPartitions is null ? null : Spaces.PartitionMap.FromBytes(_storedPartitions);
        }
        catch (InvalidDataException e)
        {
            throw new StoreCorruptedException($"{_store.Description}, space '{_name}': {e.Message}", e);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            await using var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            if (_snapshotId != 0)
            {
                long atoms = 0;
                await using var chunks = new NpgsqlBatch(connection) { BatchCommands = { PostgresSpaceStore.Command(PostgresSchema.ReadSnapshot, _snapshotId) } };
                await using var reader = await chunks.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
                for (var chunk = 0; await reader.ReadAsync(cancellationToken).ConfigureAwait(false); chunk++)
                {
                    var (rules, count, crc) = (reader.GetBoolean(0), reader.GetInt32(1), (uint)reader.GetInt32(2));
                    (buffer, var length) = await ReadBytesAsync(reader, 3, buffer, cancellationToken).ConfigureAwait(false);
                    var bytes = Checked(buffer.AsSpan(0, length), crc, $"chunk {chunk} of its snapshot of record {_snapshotSequence:N0}");
                    if (rules)
                    {
                        into.SnapshotRules(bytes);
                    }
                    else
                    {
                        into.SnapshotAtoms(bytes);
                        atoms += count;
                    }
                }

                if (atoms != _snapshotAtoms)
                {
                    throw new StoreCorruptedException($"{_store.Description}: space '{_name}': its snapshot holds {atoms:N0} atoms, not the {_snapshotAtoms:N0} it was published with");
                }
            }

            var last = _snapshotSequence;
            long logBytes = 0;
            await using (var log = new NpgsqlBatch(connection) { BatchCommands = { PostgresSpaceStore.Command(PostgresSchema.ReadLog, _name, _snapshotSequence) } })
            await using (var reader = await log.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var (sequence, operation, crc) = (reader.GetInt64(0), (LogOperation)reader.GetInt16(1), (uint)reader.GetInt32(2));
                    if (sequence != last + 1)
                    {
                        throw new StoreCorruptedException($"{_store.Description}: space '{_name}': the log jumps from record {last:N0} to {sequence:N0}; the records between are missing");
                    }

                    (buffer, var length) = await ReadBytesAsync(reader, 3, buffer, cancellationToken).ConfigureAwait(false);
                    Checked(buffer.AsSpan(0, length), crc, $"record {sequence:N0}");
                    into.Record(new LogRecord(sequence, operation, buffer.AsMemory(0, length)));
                    (last, logBytes) = (sequence, logBytes + length);
                }
            }

            lock (_sync)
            {
                _logBytes = logBytes;
                _commits.Recovered(last);
            }

            return last;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw _store.Unavailable(e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public Task Append(LogRecord record)
    {
        lock (_sync)
        {
            CheckWritable();
            _commits.CheckFollows(record.Sequence, _name);

            // The caller's buffer is its own again once this returns.
            var atoms = ArrayPool<byte>.Shared.Rent(Math.Max(record.Atoms.Length, 1));
            record.Atoms.Span.CopyTo(atoms);
            var crc = Crc32.HashToUInt32(record.Atoms.Span);
            _commits.Pending.Add(new PendingRecord(record.Sequence, record.Operation, atoms, record.Atoms.Length, crc));
            return _commits.Added(record.Sequence);
        }
    }

    public async Task WritePartitionsAsync(Spaces.PartitionMap map, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(map);
        lock (_sync)
        {
            CheckWritable();
        }

        try
        {
            await using var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var batch = new NpgsqlBatch(connection, transaction)
            {
                BatchCommands =
                {
                    PostgresSpaceStore.Command(PostgresSchema.Fence, _name, Epoch),
                    PostgresSpaceStore.Command(PostgresSchema.WritePartitions, _name, map.ToBytes()),
                },
            };
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            Partitions = map;
        }
        catch (Exception e) when (Translate(e) is var translated && translated != e)
        {
            throw translated;
        }
    }

    public async Task DeleteAsync(CancellationToken cancellationToken = default)
    {
        // No append is taken from now on; those taken before are committed first.
        lock (_sync)
        {
            CheckWritable();
            _deleted = true;
        }

        await _commits.Idle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await _store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { PostgresSpaceStore.Command(PostgresSchema.Fence, _name, Epoch) } };
            foreach (var statement in PostgresSchema.Delete)
            {
                batch.BatchCommands.Add(PostgresSpaceStore.Command(statement, _name));
            }

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e) is var translated && translated != e)
        {
            throw translated;
        }
    }

    public ISnapshotWriter BeginSnapshot(long sequence)
    {
        lock (_sync)
        {
            CheckWritable();
            _commits.CheckIsLast(sequence, _name);

            return new PostgresSnapshotWriter(this, _store, _name, sequence);
        }
    }

    public async ValueTask DisposeAsync() => await _commits.Idle.ConfigureAwait(false);

    /// <summary>A published snapshot is current: the log it covers is gone (<paramref name="droppedLogBytes"/> of it).</summary>
    internal void Published(long id, long sequence, long atoms, long droppedLogBytes)
    {
        lock (_sync)
        {
            (_snapshotId, _snapshotSequence, _snapshotAtoms) = (id, sequence, atoms);
            _logBytes -= droppedLogBytes;
        }
    }

    /// <summary>A database failure, or the refusal of a fenced statement: <see cref="StaleEpochException"/> for the latter.</summary>
    internal Exception Translate(Exception e) => e switch
    {
        PostgresException { SqlState: PostgresSchema.StaleEpochState } stale => new StaleEpochException(stale.MessageText, stale),
        NpgsqlException or TimeoutException => _store.Unavailable(e),
        _ => e,
    };

    /// <summary>Reads a bytea column into <paramref name="buffer"/> (a larger one from the pool if it must).</summary>
    private static async ValueTask<(byte[] Buffer, int Length)> ReadBytesAsync(NpgsqlDataReader reader, int column, byte[] buffer, CancellationToken cancellationToken)
    {
        await using var stream = await reader.GetStreamAsync(column, cancellationToken).ConfigureAwait(false);
        var length = checked((int)stream.Length);
        if (length > buffer.Length)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = ArrayPool<byte>.Shared.Rent(length);
        }

        await stream.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        return (buffer, length);
    }

    private ReadOnlySpan<byte> Checked(ReadOnlySpan<byte> bytes, uint crc, string what) =>
        Crc32.HashToUInt32(bytes) == crc
            ? bytes
            : throw new StoreCorruptedException($"{_store.Description}: space '{_name}': {what} is damaged (its checksum does not match)");

    private void CheckWritable()
    {
        if (_deleted)
        {
            throw new InvalidOperationException($"space '{_name}' was deleted by this activation: it writes nothing more");
        }

        if (_commits.Failure is { } failure)
        {
            throw failure is StaleEpochException
                ? new StaleEpochException(failure.Message, failure)
                : new IOException($"space '{_name}': writing its log failed ({failure.Message}); it must be opened again", failure);
        }

        if (!_commits.IsRecovered)
        {
            throw new InvalidOperationException($"space '{_name}' must be recovered before it is written");
        }
    }

    /// <summary>Commits a group (<see cref="WriteAsync"/>) and counts what it wrote; a failure is reported as the stores report theirs.</summary>
    private async Task CommitAsync(List<PendingRecord> group)
    {
        try
        {
            var (written, cleared) = await WriteAsync(group).ConfigureAwait(false);
            lock (_sync)
            {
                if (cleared is { } clear)
                {
                    (_snapshotId, _snapshotSequence, _snapshotAtoms, _logBytes) = (0, clear, 0, 0);
                }

                _logBytes += written;
            }
        }
        catch (Exception e)
        {
            throw Translate(e);
        }
        finally
        {
            foreach (var record in group)
            {
                ArrayPool<byte>.Shared.Return(record.Atoms);
            }
        }
    }

    /// <summary>
    /// One transaction: the fence, then the group's records. A clear in the group makes the empty
    /// space at its sequence the snapshot, so nothing before it is written or kept.
    /// </summary>
    private async Task<(long Written, long? Cleared)> WriteAsync(List<PendingRecord> group)
    {
        await using var connection = await _store.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { PostgresSpaceStore.Command(PostgresSchema.Fence, _name, Epoch) } };
        var first = group.FindLastIndex(r => r.Operation == LogOperation.Clear);
        long? cleared = first >= 0 ? group[first].Sequence : null;
        if (cleared is { } clear)
        {
            foreach (var statement in PostgresSchema.ClearBefore)
            {
                batch.BatchCommands.Add(PostgresSpaceStore.Command(statement, _name, clear));
            }
        }

        long written = 0;
        foreach (var record in group.Skip(first + 1))
        {
            var command = new NpgsqlBatchCommand(PostgresSchema.Append)
            {
                Parameters =
                {
                    new NpgsqlParameter<string> { TypedValue = _name },
                    new NpgsqlParameter<long> { TypedValue = record.Sequence },
                    new NpgsqlParameter<short> { TypedValue = (short)record.Operation },
                    new NpgsqlParameter<int> { TypedValue = unchecked((int)record.Crc) },
                    new NpgsqlParameter<ReadOnlyMemory<byte>> { TypedValue = record.Atoms.AsMemory(0, record.Length) },
                },
            };
            batch.BatchCommands.Add(command);
            written += record.Length;
        }

        await batch.ExecuteNonQueryAsync().ConfigureAwait(false);
        await transaction.CommitAsync().ConfigureAwait(false);
        return (written, cleared);
    }

    private readonly record struct PendingRecord(long Sequence, LogOperation Operation, byte[] Atoms, int Length, uint Crc);
}
