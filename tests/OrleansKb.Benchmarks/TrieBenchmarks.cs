using BenchmarkDotNet.Attributes;
using OrleansKb.Codec;
using OrleansKb.Storage;
using OrleansKb.Text;
using OrleansKb.Workloads;

namespace OrleansKb.Benchmarks;

/// <summary>
/// The critical section alone: inserting pre-encoded keys into an empty trie (1,000,000
/// royal92-shaped facts, in the order they are generated — clustered by person, as files are — and
/// sorted), and looking them all up. Setup also prints the trie's memory for royal92.metta beside
/// its encoded size.
/// </summary>
[Config(typeof(PerAtomConfig))]
public class TrieBenchmarks
{
    private readonly ByteTrie _trie = new();
    private byte[] _keys = [];
    private (int Offset, int Length)[] _generated = [];
    private (int Offset, int Length)[] _sorted = [];

    [Params(1_000_000)]
    public int Atoms { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var writer = new EncodedAtomWriter();
        foreach (var fact in Royal92ShapedFacts.Generate(Atoms))
        {
            AtomEncoder.Append(fact, writer);
        }

        _keys = writer.ToArray();
        _generated = [.. Enumerable.Range(0, writer.AtomCount).Select(i => Slice(writer.AtomEnds, i))];
        _sorted = [.. _generated.Order(Comparer<(int Offset, int Length)>.Create((a, b) => Key(a).SequenceCompareTo(Key(b))))];
        ReportRoyal92Memory();
    }

    [Benchmark(Baseline = true)]
    public long InsertInGeneratedOrder() => InsertAll(_generated);

    [Benchmark]
    public long InsertSorted() => InsertAll(_sorted);

    [Benchmark]
    public long Contains()
    {
        if (_trie.Count != Atoms)
        {
            InsertAll(_generated);
        }

        long found = 0;
        foreach (var key in _generated)
        {
            found += _trie.Contains(Key(key)) ? 1 : 0;
        }

        return found;
    }

    private long InsertAll((int Offset, int Length)[] keys)
    {
        _trie.Clear();
        foreach (var key in keys)
        {
            _trie.Add(Key(key));
        }

        return _trie.Count;
    }

    private ReadOnlySpan<byte> Key((int Offset, int Length) key) => _keys.AsSpan(key.Offset, key.Length);

    private static (int, int) Slice(ReadOnlySpan<int> ends, int i)
    {
        var start = i == 0 ? 0 : ends[i - 1];
        return (start, ends[i] - start);
    }

    private static void ReportRoyal92Memory()
    {
        using var reader = new MettaReader(File.OpenRead(Royal92.Path));
        var writer = new EncodedAtomWriter();
        while (reader.ReadEncodedBatch(writer, int.MaxValue) > 0)
        {
        }

        var trie = new ByteTrie();
        for (var i = 0; i < writer.AtomCount; i++)
        {
            var (offset, length) = Slice(writer.AtomEnds, i);
            trie.Add(writer.WrittenSpan.Slice(offset, length));
        }

        var memory = trie.Memory;
        Console.WriteLine(
            $"// royal92: {trie.Count} atoms, {writer.Length} encoded bytes ({(double)writer.Length / trie.Count:F1}/atom); " +
            $"trie live {memory.LiveBytes} bytes ({(double)memory.LiveBytes / trie.Count:F1}/atom, {(double)memory.LiveBytes / writer.Length:F2}x the keys: " +
            $"nodes {memory.NodeBytes}, children {memory.ChildBytes}, labels and leaves {memory.KeyBytes}); garbage {memory.GarbageBytes}; allocated {memory.AllocatedBytes}");
    }
}
