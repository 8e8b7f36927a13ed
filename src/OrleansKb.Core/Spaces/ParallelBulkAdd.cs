using OrleansKb.Atoms;

namespace OrleansKb.Spaces;

/// <summary>
/// One parallel bulk add: a <see cref="ParallelEncoder"/> encodes chunks on several threads, and
/// whichever thread finishes a chunk tries to take the environment's lock and insert every chunk
/// that is ready, in chunk order. Insertion thus overlaps encoding, stays one sequential critical
/// section, keeps the input order (rules are indexed in it), and no thread ever waits for the lock:
/// if it is taken, the thread goes back to encoding and the holder, or a later pass, inserts.
/// </summary>
internal sealed class ParallelBulkAdd : IDisposable
{
    private readonly AtomSpace _environment;
    private readonly ParallelEncoder _encoder;
    private int _nextToInsert;
    private int _added;

    public ParallelBulkAdd(AtomSpace environment, IReadOnlyList<Atom> atoms, BulkOptions options)
    {
        _environment = environment;
        _encoder = new ParallelEncoder(atoms, options.DegreeOfParallelism, options.SortKeys, TryInsert);
    }

    public int Run()
    {
        _encoder.Run();
        lock (_environment.Sync)
        {
            InsertReadyChunks();
        }

        return _added;
    }

    public void Dispose() => _encoder.Dispose();

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
        return next < _encoder.ChunkCount && _encoder.Chunk(next) is not null;
    }

    /// <summary>Inserts chunks in order while the next one is ready; the caller holds the lock.</summary>
    private void InsertReadyChunks()
    {
        while (_nextToInsert < _encoder.ChunkCount && _encoder.Chunk(_nextToInsert) is { } chunk)
        {
            _added += _environment.InsertLocked(chunk);
            _encoder.Release(_nextToInsert);
            Volatile.Write(ref _nextToInsert, _nextToInsert + 1);
        }
    }
}
