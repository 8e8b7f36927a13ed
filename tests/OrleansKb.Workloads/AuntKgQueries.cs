namespace OrleansKb.Workloads;

/// <summary>
/// The aunt-kg benchmark's queries on a genealogy of <c>parent</c> and <c>female</c> facts
/// (samples/aunt-kg/royal92_simple.metta), and its point query: what <c>orleanskb bench match</c> and
/// the BenchmarkDotNet <c>MatchBenchmarks</c> both time.
/// </summary>
public static class AuntKgQueries
{
    /// <summary>Name, pattern and template of each query, in the benchmark's order.</summary>
    public static IReadOnlyList<(string Name, string Pattern, string Template)> All { get; } =
    [
        ("parents", "(parent $p $x)", "(parent-of $x $p)"),
        ("mothers", "(, (parent $m $x) (female $m))", "(mother $m $x)"),
        ("sisters", "(, (parent $p $x) (parent $p $s) (female $s))", "(sister $s $x)"),
        ("aunts", "(, (parent $p $x) (parent $gp $p) (parent $gp $a) (female $a))", "(aunt $a $x)"),
    ];

    /// <summary>The point query: the two parents of one person, whose name is the later argument.</summary>
    public const string Point = "(parent $p \"@I1972@\")";
}
