using BenchmarkDotNet.Attributes;
using OrleansKb.Codec;
using OrleansKb.Text;

namespace OrleansKb.Benchmarks;

/// <summary>
/// Reading all of royal92.metta (2,703,888 bytes, 53,442 atoms) from memory with
/// <see cref="MettaReader"/>: to atom objects, straight to encoded bytes, and checking only.
/// Each invocation reads the whole file, including the reader's own 1 MiB buffer; the MB/s
/// column is the file size over the median.
/// </summary>
[Config(typeof(ReaderConfig))]
[MemoryDiagnoser]
public class ReaderBenchmarks
{
    private const int BatchBytes = 1 << 20;

    private byte[] _text = [];
    private EncodedAtomWriter _writer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _text = File.ReadAllBytes(Royal92.Path);

        // Room for one batch plus its last atom, so the writer never grows while measured.
        _writer = new EncodedAtomWriter(BatchBytes + (BatchBytes / 4));

        Royal92.CheckCount(ReadToAtoms(), nameof(ReadToAtoms));
        Royal92.CheckCount(ReadToEncodedBytes(), nameof(ReadToEncodedBytes));
        Royal92.CheckCount(CheckOnly(), nameof(CheckOnly));
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Reader")]
    public long ReadToAtoms()
    {
        using var stream = new MemoryStream(_text, writable: false);
        using var reader = new MettaReader(stream, null, leaveOpen: true);
        long count = 0;
        while (reader.TryRead(out _))
        {
            count++;
        }

        return count;
    }

    [Benchmark]
    [BenchmarkCategory("Reader")]
    public long ReadToEncodedBytes()
    {
        using var stream = new MemoryStream(_text, writable: false);
        using var reader = new MettaReader(stream, null, leaveOpen: true);
        long count = 0;
        int appended;
        _writer.Clear();
        while ((appended = reader.ReadEncodedBatch(_writer, BatchBytes)) > 0)
        {
            count += appended;
            _writer.Clear();
        }

        return count;
    }

    [Benchmark]
    [BenchmarkCategory("Reader")]
    public long CheckOnly()
    {
        using var stream = new MemoryStream(_text, writable: false);
        using var reader = new MettaReader(stream, null, leaveOpen: true);
        return reader.CountRemaining();
    }
}
