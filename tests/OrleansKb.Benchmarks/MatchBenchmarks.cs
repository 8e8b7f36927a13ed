using System.Data.Common;
using BenchmarkDotNet.Attributes;
using DuckDB.NET.Data;
using Microsoft.Data.Sqlite;
using OrleansKb.Atoms;
using OrleansKb.Text;
using OrleansKb.Workloads;

namespace OrleansKb.Benchmarks;

/// <summary>
/// The aunt-kg queries (parents, mothers, sisters, aunts) and a point query on royal92_simple.metta
/// (11,809 facts), in-process, side by side in one run (docs/benchmarks.md):
/// <list type="bullet">
/// <item>OrleansKb: <c>Environment.Match</c>, every result instantiated as an atom;</item>
/// <item>SQLite (Microsoft.Data.Sqlite) and DuckDB (DuckDB.NET), in-memory databases with tables
/// <c>parent(p, c)</c> and <c>female(x)</c> and an index on every column, every row read column by
/// column as strings.</item>
/// </list>
/// The SQL is the same join as the MeTTa conjunction, a multiset like it (the sisters include each
/// person as their own sister, as the aunt-kg query does).
/// </summary>
[Config(typeof(ShortRunConfig))]
[MemoryDiagnoser]
public class MatchBenchmarks
{
    // The same joins in SQL, in the order of AuntKgQueries.All.
    private static readonly string[] Sql =
    [
        "SELECT c, p FROM parent",
        "SELECT m.p, m.c FROM parent m JOIN female f ON f.x = m.p",
        "SELECT s.c, x.c FROM parent x JOIN parent s ON s.p = x.p JOIN female f ON f.x = s.c",
        "SELECT a.c, x.c FROM parent x JOIN parent g ON g.c = x.p JOIN parent a ON a.p = g.p JOIN female f ON f.x = a.c",
    ];

    private const string PointSql = "SELECT p FROM parent WHERE c = '\"@I1972@\"'";

    private readonly OrleansKb.Spaces.AtomSpace _environment = new();
    private (Atom Pattern, Atom Template)[] _queries = [];
    private Atom _point = null!;
    private DbConnection _database = null!;
    private DbCommand[] _commands = [];
    private DbCommand _pointCommand = null!;

    [Params("OrleansKb", "SQLite", "DuckDB")]
    public string Engine { get; set; } = "OrleansKb";

    [GlobalSetup]
    public void Setup()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Royal92.Path)!, "royal92_simple.metta");
        var facts = MettaReader.Parse(File.ReadAllText(path));
        _environment.AddFacts(facts);
        _queries = [.. AuntKgQueries.All.Select(q => (One(q.Pattern), One(q.Template)))];
        _point = One(AuntKgQueries.Point);
        if (Engine == "OrleansKb")
        {
            return;
        }

        _database = Engine == "SQLite" ? new SqliteConnection("Data Source=:memory:") : new DuckDBConnection("Data Source=:memory:");
        _database.Open();
        Execute("CREATE TABLE parent (p VARCHAR, c VARCHAR)");
        Execute("CREATE TABLE female (x VARCHAR)");
        // The space's atoms, not the file's lines: a space is a set, and so are these tables.
        SqlFacts.Insert(_database, _environment.Export(), "parent", "female");

        Execute("CREATE INDEX parent_p ON parent (p)");
        Execute("CREATE INDEX parent_c ON parent (c)");
        Execute("CREATE INDEX female_x ON female (x)");
        _commands = [.. Sql.Select(Command)];
        _pointCommand = Command(PointSql);
        CheckSameCounts();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var command in _commands.Append(_pointCommand).OfType<DbCommand>())
        {
            command.Dispose();
        }

        _database?.Dispose();
    }

    [Benchmark]
    public long Parents() => Run(0);

    [Benchmark]
    public long Mothers() => Run(1);

    [Benchmark]
    public long Sisters() => Run(2);

    [Benchmark]
    public long Aunts() => Run(3);

    [Benchmark]
    public long PointQuery() => Engine == "OrleansKb" ? _environment.Match(_point, _point).Count : Rows(_pointCommand);

    private long Run(int query) => Engine == "OrleansKb" ? _environment.Match(_queries[query].Pattern, _queries[query].Template).Count : Rows(_commands[query]);

    /// <summary>Reads every row, every column as a string: what a caller of the query would do.</summary>
    private static long Rows(DbCommand command)
    {
        using var reader = command.ExecuteReader();
        long rows = 0;
        var columns = reader.FieldCount;
        while (reader.Read())
        {
            for (var i = 0; i < columns; i++)
            {
                _ = reader.GetString(i);
            }

            rows++;
        }

        return rows;
    }

    /// <summary>Refuses to measure a database that does not give the same number of results as the space.</summary>
    private void CheckSameCounts()
    {
        for (var i = 0; i < Sql.Length; i++)
        {
            var expected = _environment.Match(_queries[i].Pattern, _queries[i].Template).Count;
            if (Rows(_commands[i]) != expected)
            {
                throw new InvalidOperationException($"{Engine}: {Sql[i]} gives {Rows(_commands[i])} rows, the space {expected} results");
            }
        }

        if (Rows(_pointCommand) != _environment.Match(_point, _point).Count)
        {
            throw new InvalidOperationException($"{Engine}: the point query disagrees");
        }
    }

    private DbCommand Command(string sql)
    {
        var command = _database.CreateCommand();
        command.CommandText = sql;
        command.Prepare();
        return command;
    }

    private void Execute(string sql)
    {
        using var command = _database.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static Atom One(string text) => MettaReader.Parse(text)[0];
}
