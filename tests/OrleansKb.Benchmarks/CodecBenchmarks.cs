using BenchmarkDotNet.Attributes;
using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Text;

namespace OrleansKb.Benchmarks;

/// <summary>
/// The binary codec over royal92-shaped atoms (all 53,442 atoms of royal92.metta, parsed once in
/// setup). Every benchmark handles all atoms per invocation and declares
/// <c>OperationsPerInvoke = 53,442</c>, so the reported times are per atom.
/// </summary>
[Config(typeof(ShortRunConfig))]
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private Atom[] _atoms = [];
    private byte[] _batch = [];
    private EncodedAtomWriter _writer = null!;
    private Atom _fact = null!;
    private byte[] _resultsPage = [];

    [GlobalSetup]
    public void Setup()
    {
        _atoms = [.. MettaReader.Parse(File.ReadAllText(Royal92.Path), Royal92.Path)];
        Royal92.CheckCount(_atoms.Length, "parse");

        _fact = MettaReader.Parse("(Individuals 207 (Relations 0 \"@F105@\"))")[0];
        _writer = new EncodedAtomWriter();
        Encode();
        _batch = _writer.ToArray();
        Royal92.CheckCount(_writer.AtomCount, nameof(Encode));
        Royal92.CheckCount(Decode(), nameof(Decode));

        // A page of match results as `bench match` streams them: (r PERSON PERSON), ids as strings.
        var page = new EncodedAtomWriter();
        for (var i = 0; i < Royal92.AtomCount; i++)
        {
            AtomEncoder.Append(MettaReader.Parse($"(r \"@I{i}@\" \"@I{i * 7 % 1311}@\")")[0], page);
        }

        _resultsPage = page.ToArray();
        Royal92.CheckCount(Validate(), nameof(Validate));
        Console.WriteLine($"// royal92: {_atoms.Length} atoms, {_batch.Length} encoded bytes ({(double)_batch.Length / _atoms.Length:F1} bytes per atom)");
    }

    /// <summary>Encodes every atom into one reused writer (its buffer is already full size after setup).</summary>
    [Benchmark(OperationsPerInvoke = Royal92.AtomCount)]
    [BenchmarkCategory("Codec")]
    public int Encode()
    {
        var writer = _writer;
        writer.Clear();
        foreach (var atom in _atoms)
        {
            AtomEncoder.Append(atom, writer);
        }

        return writer.Length;
    }

    /// <summary>
    /// One typical royal92 fact, encoded again and again: the CPU cost of encoding with the atom in
    /// cache, as opposed to <see cref="Encode"/>, which walks all 53,442 atoms' objects through memory.
    /// </summary>
    [Benchmark]
    [BenchmarkCategory("Codec")]
    public int EncodeOneFact()
    {
        var writer = _writer;
        writer.Clear();
        AtomEncoder.Append(_fact, writer);
        return writer.Length;
    }

    /// <summary>Decodes the whole batch back to atom objects.</summary>
    [Benchmark(OperationsPerInvoke = Royal92.AtomCount)]
    [BenchmarkCategory("Codec")]
    public int Decode() => AtomDecoder.DecodeAll(_batch).Count;

    /// <summary>Decodes a page of match results as a client does: the cost of each streamed result on the client.</summary>
    [Benchmark(OperationsPerInvoke = Royal92.AtomCount)]
    [BenchmarkCategory("Codec")]
    public int DecodeResults() => AtomDecoder.DecodeAll(_resultsPage).Count;

    /// <summary>Validates the whole batch without building atoms.</summary>
    [Benchmark(OperationsPerInvoke = Royal92.AtomCount)]
    [BenchmarkCategory("Codec")]
    public int Validate() => AtomDecoder.CountAtoms(_batch);
}
