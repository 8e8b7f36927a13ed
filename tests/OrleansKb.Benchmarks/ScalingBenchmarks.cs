using BenchmarkDotNet.Attributes;
using OrleansKb.Atoms;
using OrleansKb.Spaces;
using OrleansKb.Workloads;

namespace OrleansKb.Benchmarks;

/// <summary>The plan's scaling table: 10,000 facts bulk-added in parallel with 1 … ProcessorCount threads.</summary>
[Config(typeof(PerAtomConfig))]
public class ScalingBenchmarks
{
    private readonly OrleansKb.Spaces.AtomSpace _environment = new();
    private Atom[] _facts = [];
    private BulkOptions _options = BulkOptions.Sequential;

    [Params(10_000)]
    public int Atoms { get; set; }

    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    public static IEnumerable<int> ThreadCounts => Enumerable.Range(1, Environment.ProcessorCount);

    [GlobalSetup]
    public void Setup()
    {
        _facts = Royal92ShapedFacts.Generate(Atoms);
        _options = new BulkOptions { DegreeOfParallelism = Threads, ParallelThreshold = 0 };
    }

    [Benchmark]
    public int BulkParallel()
    {
        _environment.Clear();
        return _environment.AddFactsParallel(_facts, _options);
    }
}
