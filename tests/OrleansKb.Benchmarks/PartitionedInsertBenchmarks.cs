using BenchmarkDotNet.Attributes;
using OrleansKb.Codec;
using OrleansKb.Spaces;
using OrleansKb.Workloads;

namespace OrleansKb.Benchmarks;

/// <summary>
/// The critical section divided (docs/cluster.md, "Partitioned spaces"): what a space's grain does
/// in its turn — validate and insert 1 MiB batches (<see cref="AtomSpace.AddEncoded"/>) — for a million
/// royal92-shaped facts, into one space on one thread, or routed into <c>Partitions</c> spaces
/// (split at the keys' quantiles) on as many threads at once, as that many partition grains run.
/// </summary>
[Config(typeof(PerAtomConfig))]
public class PartitionedInsertBenchmarks
{
    private const int BatchBytes = 1 << 20;

    private List<byte[]>[] _batches = [];
    private AtomSpace[] _spaces = [];

    [Params(1_000_000)]
    public int Atoms { get; set; }

    [Params(1, 2, 4)]
    public int Partitions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var keys = Royal92ShapedFacts.Generate(Atoms).Select(AtomEncoder.Encode).ToArray();
        var splits = PartitionMap.SplitsOf(keys, Partitions);
        var map = new PartitionMap(1, [.. Enumerable.Range(0, splits.Length + 1)], splits);
        _batches = [.. Enumerable.Range(0, map.Count).Select(_ => new List<byte[]>())];
        var open = Enumerable.Range(0, map.Count).Select(_ => new EncodedAtomWriter(BatchBytes)).ToArray();
        foreach (var key in keys)
        {
            var part = map.IndexOf(key);
            open[part].AppendAtom(key);
            if (open[part].Length >= BatchBytes)
            {
                _batches[part].Add(open[part].ToArray());
                open[part].Clear();
            }
        }

        for (var i = 0; i < open.Length; i++)
        {
            _batches[i].Add(open[i].ToArray());
        }
    }

    [IterationSetup]
    public void NewSpaces() => _spaces = [.. _batches.Select(_ => new AtomSpace())];

    [Benchmark]
    public int Insert()
    {
        var added = new int[_spaces.Length];
        Parallel.For(0, _spaces.Length, new ParallelOptions { MaxDegreeOfParallelism = _spaces.Length }, i =>
        {
            foreach (var batch in _batches[i])
            {
                added[i] += _spaces[i].AddEncoded(batch);
            }
        });
        return added.Sum();
    }
}
