using BenchmarkDotNet.Attributes;
using OrleansKb.Atoms;
using OrleansKb.Text;

namespace OrleansKb.Benchmarks;

/// <summary>
/// The aunt-kg queries (parents, mothers, sisters, aunts) on royal92_simple.metta (11,809 facts),
/// in-process, every result instantiated; and a point query. Through the cluster: `orleanskb bench match`.
/// </summary>
[Config(typeof(ShortRunConfig))]
[MemoryDiagnoser]
public class MatchBenchmarks
{
    private readonly OrleansKb.Spaces.Environment _environment = new();
    private (Atom Pattern, Atom Template)[] _queries = [];
    private Atom _point = null!;

    [GlobalSetup]
    public void Setup()
    {
        var path = Path.Combine(Path.GetDirectoryName(Royal92.Path)!, "royal92_simple.metta");
        _environment.AddFacts(MettaReader.Parse(File.ReadAllText(path)));
        _queries =
        [
            (One("(parent $p $x)"), One("(parent-of $x $p)")),
            (One("(, (parent $m $x) (female $m))"), One("(mother $m $x)")),
            (One("(, (parent $p $x) (parent $p $s) (female $s))"), One("(sister $s $x)")),
            (One("(, (parent $p $x) (parent $gp $p) (parent $gp $a) (female $a))"), One("(aunt $a $x)")),
        ];
        _point = One("(parent $p \"@I1972@\")");
    }

    [Benchmark]
    public int Parents() => Run(0);

    [Benchmark]
    public int Mothers() => Run(1);

    [Benchmark]
    public int Sisters() => Run(2);

    [Benchmark]
    public int Aunts() => Run(3);

    [Benchmark]
    public int PointQuery() => _environment.Match(_point, _point).Count;

    private int Run(int query) => _environment.Match(_queries[query].Pattern, _queries[query].Template).Count;

    private static Atom One(string text) => MettaReader.Parse(text)[0];
}
