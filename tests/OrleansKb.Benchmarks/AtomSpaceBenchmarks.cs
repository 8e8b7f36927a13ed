using BenchmarkDotNet.Attributes;
using OrleansKb.Atoms;
using OrleansKb.Spaces;
using OrleansKb.Workloads;

namespace OrleansKb.Benchmarks;

/// <summary>
/// The original plan's tables: facts and rules added one at a time, in bulk sequentially, and in
/// bulk in parallel, into an emptied environment (so each invocation inserts every atom as new).
/// From atom objects to inserted, i.e. encoding + insertion.
/// </summary>
[Config(typeof(PerAtomConfig))]
public class AtomSpaceBenchmarks
{
    private static readonly BulkOptions NoThreshold = new() { ParallelThreshold = 0 };
    private readonly OrleansKb.Spaces.AtomSpace _environment = new();
    private Atom[] _facts = [];
    private Atom[] _rules = [];

    [Params(10, 50, 100, 500, 1_000, 10_000, 100_000)]
    public int Atoms { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _facts = Royal92ShapedFacts.Generate(Atoms);
        _rules = GeneratedRules.Generate(Atoms);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Facts")]
    public long FactsOneAtATime()
    {
        _environment.Clear();
        foreach (var fact in _facts)
        {
            _environment.Add(fact);
        }

        return _environment.Count;
    }

    [Benchmark]
    [BenchmarkCategory("Facts")]
    public int FactsBulkSequential()
    {
        _environment.Clear();
        return _environment.AddFacts(_facts, BulkOptions.Sequential);
    }

    [Benchmark]
    [BenchmarkCategory("Facts")]
    public int FactsBulkParallel()
    {
        _environment.Clear();
        return _environment.AddFactsParallel(_facts);
    }

    /// <summary>The parallel path even below the threshold: what the threshold saves small batches from.</summary>
    [Benchmark]
    [BenchmarkCategory("Facts")]
    public int FactsBulkParallelNoThreshold()
    {
        _environment.Clear();
        return _environment.AddFactsParallel(_facts, NoThreshold);
    }

    [Benchmark]
    [BenchmarkCategory("Rules")]
    public long RulesOneAtATime()
    {
        _environment.Clear();
        foreach (var rule in _rules)
        {
            _environment.Add(rule);
        }

        return _environment.RuleCount;
    }

    [Benchmark]
    [BenchmarkCategory("Rules")]
    public int RulesBulkSequential()
    {
        _environment.Clear();
        return _environment.AddRules(_rules, BulkOptions.Sequential);
    }

    [Benchmark]
    [BenchmarkCategory("Rules")]
    public int RulesBulkParallel()
    {
        _environment.Clear();
        return _environment.AddRulesParallel(_rules);
    }
}
