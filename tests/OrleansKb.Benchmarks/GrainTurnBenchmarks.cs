using BenchmarkDotNet.Attributes;
using OrleansKb.Codec;

namespace OrleansKb.Benchmarks;

/// <summary>
/// What an <c>EnvironmentGrain</c> turn does with the batches a client sends: validate each 1 MiB
/// batch whole, then insert it (<c>Environment.AddEncoded</c>), for 1,000,000 royal92-shaped facts
/// into an emptied environment. The cluster's critical section, without Orleans around it.
/// </summary>
[Config(typeof(PerAtomConfig))]
public class GrainTurnBenchmarks
{
    private readonly OrleansKb.Spaces.AtomSpace _environment = new();
    private byte[][] _batches = [];

    [Params(1_000_000)]
    public int Atoms { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _batches = FactBatches.Generate(Atoms);
    }

    [Benchmark(Baseline = true)]
    public int ValidateOnly()
    {
        var atoms = 0;
        foreach (var batch in _batches)
        {
            atoms += AtomDecoder.CountAtoms(batch);
        }

        return atoms;
    }

    [Benchmark]
    public long ValidateAndInsert()
    {
        _environment.Clear();
        foreach (var batch in _batches)
        {
            _environment.AddEncoded(batch);
        }

        return _environment.Count;
    }
}
