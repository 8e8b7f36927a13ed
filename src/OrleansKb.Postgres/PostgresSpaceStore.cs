using Npgsql;

namespace OrleansKb.Persistence.Postgres;

/// <summary>
/// Spaces kept in a PostgreSQL database that every silo reaches (docs/durability.md, "PostgreSQL"):
/// a space that lost its silo is recovered on another one with everything acknowledged. Each change
/// is a row of its space's log, committed before it is acknowledged (appends made meanwhile share one
/// transaction); snapshots are rows of chunks; the epoch in a space's row fences an activation that
/// has been replaced, so two silos never both write one space. Creates its tables on first use.
/// </summary>
public sealed class PostgresSpaceStore : ISpaceStore, IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly SemaphoreSlim _schemaOnce = new(1, 1);
    private bool _schemaReady;

    /// <summary>A store in the database <paramref name="connectionString"/> names (an Npgsql connection string).</summary>
    public PostgresSpaceStore(string connectionString)
    {
        var settings = ParseConnectionString(connectionString);
        Description = $"postgres {settings.Host}:{settings.Port}/{settings.Database ?? settings.Username}";
        _dataSource = NpgsqlDataSource.Create(settings);
    }

    public string Description { get; }

    /// <summary>The parts of an Npgsql connection string, or an <see cref="ArgumentException"/> saying in one line why it is not one.</summary>
    internal static NpgsqlConnectionStringBuilder ParseConnectionString(string connectionString)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"PostgresConnection is not a valid connection string: {e.Message}", e);
        }
    }

    public bool KeepsSpaces => true;

    /// <inheritdoc/>
    public async Task CheckAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw Unavailable(e);
        }
    }

    public async Task<IStoredSpace> OpenAsync(string space, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(space);
        try
        {
            await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var batch = new NpgsqlBatch(connection, transaction)
            {
                BatchCommands = { Command(PostgresSchema.Open, space) },
            };
            long epoch, snapshotId, snapshotSequence, snapshotAtoms;
            byte[]? partitions;
            await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                (epoch, snapshotId, snapshotSequence, snapshotAtoms) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
                partitions = reader.IsDBNull(4) ? null : reader.GetFieldValue<byte[]>(4);
            }

            await using (var drop = new NpgsqlBatch(connection, transaction) { BatchCommands = { Command(PostgresSchema.DropUnpublishedSnapshots, space, snapshotId) } })
            {
                await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new PostgresStoredSpace(this, space, epoch, snapshotId, snapshotSequence, snapshotAtoms, partitions);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw Unavailable(e);
        }
    }

    public Task<long> RecoveryBytesOfAsync(string space, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(space);
        return OnConnectionAsync(
            async connection =>
            {
                await using var batch = new NpgsqlBatch(connection) { BatchCommands = { Command(PostgresSchema.RecoveryBytesOf, space) } };
                return Convert.ToInt64(await batch.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            },
            cancellationToken);
    }

    public Task ReportSiloMemoryAsync(SiloMemoryReport report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        return OnConnectionAsync(
            async connection =>
            {
                await using var batch = new NpgsqlBatch(connection)
                {
                    BatchCommands =
                    {
                        Command(PostgresSchema.ReportSiloMemory[0], report.Silo, report.Budget, report.HighWater, report.Used),
                        Command(PostgresSchema.ReportSiloMemory[1]),
                    },
                };
                return await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            },
            cancellationToken);
    }

    public Task<IReadOnlyList<SiloMemoryReport>> SiloMemoryReportsAsync(TimeSpan within, CancellationToken cancellationToken = default) => OnConnectionAsync<IReadOnlyList<SiloMemoryReport>>(
        async connection =>
        {
            await using var batch = new NpgsqlBatch(connection) { BatchCommands = { Command(PostgresSchema.SiloMemoryReports, within) } };
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var reports = new List<SiloMemoryReport>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                reports.Add(new SiloMemoryReport(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetFieldValue<DateTimeOffset>(4)));
            }

            return reports;
        },
        cancellationToken);

    /// <summary>Runs <paramref name="work"/> on a connection of its own once the schema is made; a database failure comes out as <see cref="Unavailable"/>.</summary>
    private async Task<T> OnConnectionAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        try
        {
            await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await work(connection).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw Unavailable(e);
        }
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public void Dispose() => _dataSource.Dispose();

    internal ValueTask<NpgsqlConnection> OpenConnectionAsync(CancellationToken cancellationToken) => _dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>A database failure as the stores report theirs: an <see cref="IOException"/> that says where.</summary>
    internal IOException Unavailable(Exception e) => new($"{Description}: {e.Message}", e);

    /// <summary>A command with positional parameters <c>$1, $2, …</c>.</summary>
    internal static NpgsqlBatchCommand Command(string sql, params ReadOnlySpan<object> values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }

    private async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _schemaReady))
        {
            return;
        }

        await _schemaOnce.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_schemaReady)
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using var batch = new NpgsqlBatch(connection, transaction);
                foreach (var statement in PostgresSchema.Create)
                {
                    batch.BatchCommands.Add(new NpgsqlBatchCommand(statement));
                }

                await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _schemaReady, true);
            }
        }
        finally
        {
            _schemaOnce.Release();
        }
    }
}
