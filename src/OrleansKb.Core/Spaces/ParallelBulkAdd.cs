using OrleansKb.Atoms;
using OrleansKb.Codec;

namespace OrleansKb.Spaces;

/// <summary>
/// One parallel bulk add. The atoms are cut into chunks; the caller and up to
/// <see cref="BulkOptions.DegreeOfParallelism"/> − 1 encoder threads claim chunks one at a time and
/// encode each into its own pooled buffer (no shared mutable state but two counters). Whoever
/// finishes a chunk then tries to take the environment's lock and insert every chunk that is ready,
/// in chunk order — so insertion overlaps encoding, stays sequential and keeps the input order,
/// and no thread ever waits for the lock (it just goes on encoding).
/// </summary>
internal sealed class ParallelBulkAdd : IDisposable
{
    private const int ChunksPerThread = 8;
    private const int MinChunkAtoms = 16;
    private const int MaxChunkAtoms = 4096;

    private readonly Environment _environment;
    private readonly IReadOnlyList<Atom> _atoms;
    private readonly BulkOptions _options;
    private readonly int _chunkAtoms;
    private readonly int _chunkCount;
    private readonly EncodedAtomWriter?[] _encoded;
    private readonly ManualResetEventSlim _allEncoded = new();
    private int _nextChunk = -1;
    private int _encodedCount;
    private int _nextToInsert;
    private int _added;

    public ParallelBulkAdd(Environment environment, IReadOnlyList<Atom> atoms, BulkOptions options)
    {
        _environment = environment;
        _atoms = atoms;
        _options = options;
        _chunkAtoms = Math.Clamp(atoms.Count / (options.DegreeOfParallelism * ChunksPerThread), MinChunkAtoms, MaxChunkAtoms);
        _chunkCount = (atoms.Count + _chunkAtoms - 1) / _chunkAtoms;
        _encoded = new EncodedAtomWriter?[_chunkCount];
    }

    public int Run()
    {
        var helpers = Math.Min(Math.Min(_options.DegreeOfParallelism - 1, EncoderThreads.Shared.Count), _chunkCount - 1);
        for (var i = 0; i < helpers; i++)
        {
            // A helper that starts after the work is done finds no chunk to claim and returns at once.
            EncoderThreads.Shared.Post(EncodeChunks);
        }

        EncodeChunks();
        _allEncoded.Wait();
        lock (_environment.Sync)
        {
            InsertReadyChunks();
        }

        return _added;
    }

    public void Dispose() => _allEncoded.Dispose();

    private void EncodeChunks()
    {
        int chunk;
        while ((chunk = Interlocked.Increment(ref _nextChunk)) < _chunkCount)
        {
            var writer = WriterPool.Rent();
            var end = Math.Min(_atoms.Count, (chunk + 1) * _chunkAtoms);
            for (var i = chunk * _chunkAtoms; i < end; i++)
            {
                AtomEncoder.Append(_atoms[i], writer);
            }

            Volatile.Write(ref _encoded[chunk], writer);
            TryInsert();
            if (Interlocked.Increment(ref _encodedCount) == _chunkCount)
            {
                _allEncoded.Set();
            }
        }
    }

    /// <summary>Inserts the ready chunks if the lock is free; if it is not, the holder or a later pass will.</summary>
    private void TryInsert()
    {
        while (IsNextReady() && _environment.Sync.TryEnter())
        {
            try
            {
                InsertReadyChunks();
            }
            finally
            {
                _environment.Sync.Exit();
            }
        }
    }

    private bool IsNextReady()
    {
        var next = Volatile.Read(ref _nextToInsert);
        return next < _chunkCount && Volatile.Read(ref _encoded[next]) is not null;
    }

    /// <summary>Inserts chunks in order while the next one is ready; the caller holds the lock.</summary>
    private void InsertReadyChunks()
    {
        while (_nextToInsert < _chunkCount && Volatile.Read(ref _encoded[_nextToInsert]) is { } writer)
        {
            _added += _environment.InsertBatchLocked(writer.WrittenSpan, _options.SortKeys);
            _encoded[_nextToInsert] = null;
            WriterPool.Return(writer);
            Volatile.Write(ref _nextToInsert, _nextToInsert + 1);
        }
    }
}
