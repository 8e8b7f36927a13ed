using System.Data.Common;
using BenchmarkDotNet.Attributes;
using DuckDB.NET.Data;
using Microsoft.Data.Sqlite;
using OrleansKb.Atoms;
using OrleansKb.Client;
using OrleansKb.Hosting;
using OrleansKb.Text;
using OrleansKb.Workloads;

namespace OrleansKb.Benchmarks;

/// <summary>
/// Deriving atoms in bulk (docs/transform.md), in-process, side by side in one run (docs/benchmarks.md):
/// <list type="bullet">
/// <item>OrleansKb: <c>KbSpace.TransformAsync</c> through a silo hosted in this process, its spaces in
/// memory (the embedded cluster with the memory store), into a space emptied before each run;</item>
/// <item>SQLite (Microsoft.Data.Sqlite) and DuckDB (DuckDB.NET), in-memory databases with an index on
/// every column: <c>INSERT INTO … SELECT DISTINCT …</c> of the same join into a table emptied before each run.</item>
/// </list>
/// Workloads: <c>aunts</c>, <c>(aunt $a $x)</c> from royal92_simple.metta (11,809 facts), and
/// <c>step</c>, a transitive step <c>(trans $x $z)</c> over 200,000 random edges among 50,000 nodes
/// (seeded). Each engine's setup refuses to measure if its count of derived atoms differs from the others'.
/// </summary>
[Config(typeof(ShortRunConfig))]
public class TransformBenchmarks
{
    private const int Edges = 200_000;
    private const int Nodes = 50_000;

    private KbCluster _cluster = null!;
    private KbSpace _source = null!;
    private KbSpace _target = null!;
    private Atom _pattern = null!;
    private Atom _template = null!;
    private DbConnection _database = null!;
    private long _expected;

    [Params("aunts", "step")]
    public string Workload { get; set; } = "aunts";

    [Params("OrleansKb", "SQLite", "DuckDB")]
    public string Engine { get; set; } = "OrleansKb";

    private bool Aunts => Workload == "aunts";

    private string Sql => Aunts
        ? "INSERT INTO derived SELECT DISTINCT a.c, x.c FROM parent x JOIN parent g ON g.c = x.p JOIN parent a ON a.p = g.p JOIN female f ON f.x = a.c"
        : "INSERT INTO derived SELECT DISTINCT a.x, b.y FROM edge a JOIN edge b ON b.x = a.y";

    [GlobalSetup]
    public void Setup()
    {
        var facts = Aunts ? RoyalFacts() : RandomGraph.Edges(Edges, Nodes);
        (_pattern, _template) = Aunts
            ? (One(AuntKgQueries.All.Single(q => q.Name == "aunts").Pattern), One("(aunt $a $x)"))
            : (One("(, (edge $x $y) (edge $y $z))"), One("(trans $x $z)"));
        if (Engine == "OrleansKb")
        {
            _cluster = EmbeddedCluster.StartAsync(ephemeral: true).GetAwaiter().GetResult();
            _source = _cluster.Space($"bench-{Workload}");
            _source.AddFactsAsync(facts).GetAwaiter().GetResult();
            _target = _cluster.Space($"bench-{Workload}-derived");
        }
        else
        {
            _database = Engine == "SQLite" ? new SqliteConnection("Data Source=:memory:") : new DuckDBConnection("Data Source=:memory:");
            _database.Open();
            Fill(facts);
        }

        // Every engine derives the same atoms.
        _expected = Aunts ? 3_538 : DistinctSteps(facts);
        var derived = Derive().GetAwaiter().GetResult();
        if (derived != _expected)
        {
            throw new InvalidOperationException($"{Engine} derived {derived:N0} atoms for {Workload}; {_expected:N0} are expected");
        }
    }

    [IterationSetup]
    public void Empty()
    {
        if (Engine == "OrleansKb")
        {
            _target.ClearAsync().GetAwaiter().GetResult();
        }
        else
        {
            Execute("DELETE FROM derived");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _database?.Dispose();
        _cluster?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The derivation; returns how many atoms (rows) it added.</summary>
    [Benchmark]
    public async Task<long> Derive() => Engine == "OrleansKb"
        ? (await _source.TransformAsync(_pattern, _template, _target.Name)).Added
        : Execute(Sql);

    private static List<Atom> RoyalFacts()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Royal92.Path)!, "royal92_simple.metta");
        return MettaReader.Parse(File.ReadAllText(path));
    }

    private static long DistinctSteps(List<Atom> edges)
    {
        var from = edges.Cast<ExpressionAtom>().ToLookup(e => e[1], e => e[2]);
        return edges.Cast<ExpressionAtom>().SelectMany(e => from[e[2]].Select(z => (e[1], z))).Distinct().LongCount();
    }

    /// <summary>The facts as tables (every value as its MeTTa text), indexed on every column, and an empty table for what is derived.</summary>
    private void Fill(List<Atom> facts)
    {
        var tables = Aunts ? new[] { "parent (p VARCHAR, c VARCHAR)", "female (x VARCHAR)" } : ["edge (x VARCHAR, y VARCHAR)"];
        foreach (var table in tables)
        {
            Execute($"CREATE TABLE {table}");
        }

        Execute("CREATE TABLE derived (a VARCHAR, b VARCHAR)");
        SqlFacts.Insert(_database, facts, "parent", "female", "edge");

        foreach (var index in Aunts ? new[] { "parent (p)", "parent (c)", "female (x)" } : ["edge (x)", "edge (y)"])
        {
            Execute($"CREATE INDEX i{Math.Abs(index.GetHashCode())} ON {index}");
        }
    }

    private long Execute(string sql)
    {
        using var command = _database.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    private static Atom One(string text) => MettaReader.Parse(text)[0];
}
