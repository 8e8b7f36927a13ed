using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using OrleansKb.Codec;
using OrleansKb.Persistence;
using OrleansKb.Persistence.Postgres;
using StackExchange.Redis;

namespace OrleansKb.Benchmarks;

/// <summary>
/// A durable load of 1,000,000 royal92-shaped facts (their encoded atoms as keys of a set), acknowledged
/// only once on disk, into OrleansKb's file store and into the stores it is compared with, on this
/// machine:
/// <list type="bullet">
/// <item>OrleansKb: each 1 MiB batch validated, appended to the log and applied to the trie, as the
/// grain does, without Orleans around it; batches are not waited for one by one (group commit);
/// into the file store, and into the PostgreSQL store (each batch a row of the log, each group of
/// batches one transaction) in the same database as the <c>COPY</c> below;</item>
/// <item>SQLite 3, in-process: a <c>WITHOUT ROWID</c> table keyed by the atom, WAL journal,
/// <c>synchronous=FULL</c>, one transaction per 1 MiB batch;</item>
/// <item>Redis, <c>appendonly yes, appendfsync always</c>: <c>SADD</c> of 1,000 atoms per command, all
/// pipelined, over loopback (<c>ORLEANSKB_BENCH_REDIS</c>, default <c>127.0.0.1:16379</c>);</item>
/// <item>PostgreSQL 15: one binary <c>COPY</c> into a table keyed by the atom, committed with
/// <c>synchronous_commit=on</c>, over loopback (<c>ORLEANSKB_BENCH_POSTGRES</c>, default
/// <c>Host=127.0.0.1;Port=15432;Username=postgres</c>).</item>
/// </list>
/// Redis and PostgreSQL must be running (docs/benchmarks.md says how they were started).
/// </summary>
[Config(typeof(PerAtomConfig))]
public class DurableLoadBaselines
{
    private readonly List<string> _folders = [];
    private byte[][][] _batches = [];
    private byte[][] _encodedBatches = [];
    private string _folder = "";
    private ConnectionMultiplexer? _redis;
    private string _postgres = "";

    [Params(1_000_000)]
    public int Atoms { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _encodedBatches = FactBatches.Generate(Atoms);
        _batches = [.. _encodedBatches.Select(AtomsOf)];
        _redis = ConnectionMultiplexer.Connect(Environment.GetEnvironmentVariable("ORLEANSKB_BENCH_REDIS") ?? "127.0.0.1:16379");
        _postgres = Environment.GetEnvironmentVariable("ORLEANSKB_BENCH_POSTGRES") ?? "Host=127.0.0.1;Port=15432;Username=postgres";
    }

    /// <summary>An encoded batch cut into its atoms: the keys the other stores are given.</summary>
    private static byte[][] AtomsOf(byte[] batch)
    {
        var atoms = new List<byte[]>();
        foreach (var atom in new EncodedItems(batch))
        {
            atoms.Add(atom.ToArray());
        }

        return [.. atoms];
    }

    [IterationSetup]
    public void Fresh()
    {
        _folder = Directory.CreateTempSubdirectory("orleanskb-baseline-").FullName;
        _folders.Add(_folder);
        _redis!.GetDatabase().KeyDelete("space");
        using var connection = new NpgsqlConnection(_postgres);
        connection.Open();
        using var command = new NpgsqlCommand("DROP TABLE IF EXISTS atoms; CREATE TABLE atoms (key bytea PRIMARY KEY); DROP SCHEMA IF EXISTS orleanskb_bench CASCADE; CREATE SCHEMA orleanskb_bench;", connection);
        command.ExecuteNonQuery();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _redis?.Dispose();
        _folders.ForEach(folder => Directory.Delete(folder, recursive: true));
    }

    [Benchmark(Baseline = true)]
    public async Task<long> OrleansKbFileStore()
    {
        using var store = new FileSpaceStore(_folder);
        return await LoadAsync(store);
    }

    [Benchmark]
    public async Task<long> OrleansKbPostgresStore()
    {
        await using var store = new PostgresSpaceStore(new NpgsqlConnectionStringBuilder(_postgres) { SearchPath = "orleanskb_bench" }.ConnectionString);
        return await LoadAsync(store);
    }

    /// <summary>What the grain does with each batch of a load: validate, append, apply; then wait until every append is durable.</summary>
    private async Task<long> LoadAsync(ISpaceStore store)
    {
        var environment = new OrleansKb.Spaces.AtomSpace();
        var stored = await store.OpenAsync("space");
        await stored.RecoverAsync(environment.StartRecovery());
        var durable = new List<Task>();
        for (var i = 0; i < _encodedBatches.Length; i++)
        {
            using var change = environment.Validate(LogOperation.AddFacts, _encodedBatches[i]);
            durable.Add(stored.Append(new LogRecord(i + 1, LogOperation.AddFacts, change.Atoms)));
            change.Apply();
        }

        await Task.WhenAll(durable);
        await stored.DisposeAsync();
        return environment.Count;
    }

    [Benchmark]
    public long SqliteWalSynchronousFull()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_folder, "atoms.db")}");
        connection.Open();
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE atoms (key BLOB PRIMARY KEY) WITHOUT ROWID;";
            pragma.ExecuteNonQuery();
        }

        foreach (var batch in _batches)
        {
            using var transaction = connection.BeginTransaction();
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT OR IGNORE INTO atoms (key) VALUES ($key)";
            var key = insert.CreateParameter();
            key.ParameterName = "$key";
            insert.Parameters.Add(key);
            insert.Prepare();
            foreach (var atom in batch)
            {
                key.Value = atom;
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM atoms";
        return (long)count.ExecuteScalar()!;
    }

    [Benchmark]
    public async Task<long> RedisAppendfsyncAlways()
    {
        var database = _redis!.GetDatabase();
        var pending = new List<Task<long>>();
        foreach (var batch in _batches)
        {
            foreach (var chunk in batch.Chunk(1000))
            {
                pending.Add(database.SetAddAsync("space", [.. chunk.Select(atom => (RedisValue)atom)]));
            }
        }

        await Task.WhenAll(pending);
        return await database.SetLengthAsync("space");
    }

    [Benchmark]
    public async Task<long> PostgresCopy()
    {
        await using var connection = new NpgsqlConnection(_postgres);
        await connection.OpenAsync();
        await using (var copy = await connection.BeginBinaryImportAsync("COPY atoms (key) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var batch in _batches)
            {
                foreach (var atom in batch)
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync(atom, NpgsqlDbType.Bytea);
                }
            }

            await copy.CompleteAsync();
        }

        await using var count = new NpgsqlCommand("SELECT count(*) FROM atoms", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
