using System.IO.Hashing;
using Npgsql;

namespace OrleansKb.Persistence.Postgres;

/// <summary>
/// A snapshot written as rows of chunks in one transaction of its own, which publishing commits
/// (fenced by the epoch); disposing it unpublished rolls it back, so a snapshot is never half there.
/// </summary>
internal sealed class PostgresSnapshotWriter(PostgresStoredSpace space, PostgresSpaceStore store, string name, long sequence) : ISnapshotWriter
{
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;
    private long _id;
    private int _chunks;
    private long _atoms;

    public Task WriteAtomsAsync(ReadOnlyMemory<byte> atoms, int count, CancellationToken cancellationToken = default)
    {
        _atoms += count;
        return WriteChunkAsync(atoms, count, rules: false, cancellationToken);
    }

    public Task WriteRulesAsync(ReadOnlyMemory<byte> rules, int count, CancellationToken cancellationToken = default) =>
        WriteChunkAsync(rules, count, rules: true, cancellationToken);

    public async Task PublishAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var transaction = await StartedAsync(cancellationToken).ConfigureAwait(false);
            long current;
            await using (var fence = new NpgsqlBatch(_connection, transaction) { BatchCommands = { PostgresSpaceStore.Command(PostgresSchema.Fence, name, space.Epoch) } })
            {
                current = (long)(await fence.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            }

            if (current >= sequence)
            {
                // A clear since (its empty space is the snapshot now) or a later snapshot: this one is moot.
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            await using var publish = new NpgsqlBatch(_connection, transaction)
            {
                BatchCommands =
                {
                    PostgresSpaceStore.Command(PostgresSchema.PublishSnapshot, name, _id, sequence, _atoms),
                    PostgresSpaceStore.Command(PostgresSchema.DropOtherSnapshots, name, _id),
                    PostgresSpaceStore.Command(PostgresSchema.DropCoveredLog, name, sequence),
                },
            };
            var dropped = (long)(await publish.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) ?? 0L);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            space.Published(_id, sequence, _atoms, dropped);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw space.Translate(e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync().ConfigureAwait(false);
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task WriteChunkAsync(ReadOnlyMemory<byte> bytes, int count, bool rules, CancellationToken cancellationToken)
    {
        try
        {
            var transaction = await StartedAsync(cancellationToken).ConfigureAwait(false);
            await using var write = new NpgsqlBatch(_connection, transaction)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand(PostgresSchema.WriteChunk)
                    {
                        Parameters =
                        {
                            new NpgsqlParameter<long> { TypedValue = _id },
                            new NpgsqlParameter<int> { TypedValue = _chunks++ },
                            new NpgsqlParameter<bool> { TypedValue = rules },
                            new NpgsqlParameter<int> { TypedValue = count },
                            new NpgsqlParameter<int> { TypedValue = unchecked((int)Crc32.HashToUInt32(bytes.Span)) },
                            new NpgsqlParameter<ReadOnlyMemory<byte>> { TypedValue = bytes },
                        },
                    },
                },
            };
            await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw space.Translate(e);
        }
    }

    /// <summary>The snapshot's transaction, begun (and its row made) at the first write.</summary>
    private async Task<NpgsqlTransaction> StartedAsync(CancellationToken cancellationToken)
    {
        if (_transaction is not null)
        {
            return _transaction;
        }

        _connection = await store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        _transaction = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var create = new NpgsqlBatch(_connection, _transaction) { BatchCommands = { PostgresSpaceStore.Command(PostgresSchema.NewSnapshot, name, sequence) } };
        _id = (long)(await create.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        return _transaction;
    }
}
