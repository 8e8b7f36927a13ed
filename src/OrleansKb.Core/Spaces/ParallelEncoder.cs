using OrleansKb.Atoms;
using OrleansKb.Codec;

namespace OrleansKb.Spaces;

/// <summary>
/// The parallel phase of a bulk add: the atoms are cut into chunks, and the caller and up to
/// <c>degree − 1</c> encoder threads claim chunks one at a time and encode each into its own pooled
/// buffer (sorting its keys too, if asked). The threads share nothing mutable but a claim counter and the array the finished chunks
/// are published in; after each chunk a thread calls <c>chunkEncoded</c> (the bulk add inserts
/// there). A helper that starts after every chunk is claimed returns at once, so the caller never
/// waits for a busy helper to start.
/// </summary>
internal sealed class ParallelEncoder : IDisposable
{
    private const int ChunksPerThread = 32;
    private const int MinChunkAtoms = 32;
    private const int MaxChunkAtoms = 4096;

    private readonly IReadOnlyList<Atom> _atoms;
    private readonly int _degree;
    private readonly bool _sort;
    private readonly Action? _chunkEncoded;
    private readonly int _chunkAtoms;
    private readonly EncodedAtomWriter?[] _chunks;
    private readonly ManualResetEventSlim _allEncoded = new();
    private int _nextChunk = -1;
    private int _encodedCount;

    public ParallelEncoder(IReadOnlyList<Atom> atoms, int degree, bool sort = false, Action? chunkEncoded = null)
    {
        _atoms = atoms;
        _degree = degree;
        _sort = sort;
        _chunkEncoded = chunkEncoded;
        _chunkAtoms = Math.Clamp(atoms.Count / (degree * ChunksPerThread), MinChunkAtoms, MaxChunkAtoms);
        _chunks = new EncodedAtomWriter?[(atoms.Count + _chunkAtoms - 1) / _chunkAtoms];
    }

    public int ChunkCount => _chunks.Length;

    /// <summary>Encodes every chunk, on this thread and the helpers; returns when all are encoded.</summary>
    public void Run()
    {
        var helpers = Math.Min(Math.Min(_degree - 1, EncoderThreads.Shared.Count), _chunks.Length - 1);
        for (var i = 0; i < helpers; i++)
        {
            EncoderThreads.Shared.Post(EncodeChunks);
        }

        EncodeChunks();
        if (_chunks.Length > 0)
        {
            _allEncoded.Wait();
        }
    }

    /// <summary>The encoded chunk, once published (null before, and after <see cref="Release"/>).</summary>
    public EncodedAtomWriter? Chunk(int index) => Volatile.Read(ref _chunks[index]);

    /// <summary>Takes a published chunk: it is the caller's from now on, to return to <see cref="WriterPool"/>.</summary>
    public EncodedAtomWriter Take(int index)
    {
        var writer = Volatile.Read(ref _chunks[index]) ?? throw new InvalidOperationException($"chunk {index} is not encoded yet");
        _chunks[index] = null;
        return writer;
    }

    /// <summary>Returns a chunk's buffer to the pool.</summary>
    public void Release(int index)
    {
        var writer = _chunks[index];
        _chunks[index] = null;
        if (writer is not null)
        {
            WriterPool.Return(writer);
        }
    }

    public void Dispose()
    {
        for (var i = 0; i < _chunks.Length; i++)
        {
            Release(i);
        }

        _allEncoded.Dispose();
    }

    private void EncodeChunks()
    {
        int chunk;
        while ((chunk = Interlocked.Increment(ref _nextChunk)) < _chunks.Length)
        {
            var writer = WriterPool.Rent();
            var end = Math.Min(_atoms.Count, (chunk + 1) * _chunkAtoms);
            for (var i = chunk * _chunkAtoms; i < end; i++)
            {
                AtomEncoder.Append(_atoms[i], writer);
            }

            if (_sort)
            {
                // Here, in the parallel phase, rather than under the environment's lock.
                writer.SortAtoms();
            }

            Volatile.Write(ref _chunks[chunk], writer);
            _chunkEncoded?.Invoke();
            if (Interlocked.Increment(ref _encodedCount) == _chunks.Length)
            {
                _allEncoded.Set();
            }
        }
    }
}
