using OrleansKb.Atoms;
using OrleansKb.Codec;

namespace OrleansKb.Spaces;

/// <summary>
/// One parallel bulk add: a <see cref="ParallelEncoder"/> encodes chunks on several threads, and
/// whichever thread finishes a chunk tries to take the space's insertion turn
/// (<see cref="AtomSpace.InsertReady"/>) and insert every chunk that is ready, in chunk order.
/// Insertion thus overlaps encoding, stays one sequential critical section, keeps the input order
/// (rules are indexed in it), and no thread ever waits for the turn: if it is taken, the thread goes
/// back to encoding and the holder, or a later turn, inserts.
/// </summary>
internal sealed class ParallelBulkAdd : IDisposable, IReadyChunks
{
    private readonly AtomSpace _space;
    private readonly ParallelEncoder _encoder;
    private int _nextToInsert;
    private int _added;

    public ParallelBulkAdd(AtomSpace space, IReadOnlyList<Atom> atoms, BulkOptions options)
    {
        _space = space;
        _encoder = new ParallelEncoder(atoms, options.DegreeOfParallelism, options.SortKeys, TryInsert);
    }

    public int Run()
    {
        _encoder.Run();
        _space.InsertReady(this, wait: true);
        return _added;
    }

    public void Dispose() => _encoder.Dispose();

    /// <summary>Inserts the ready chunks if the turn is free; if it is not, the holder or a later turn will.</summary>
    private void TryInsert()
    {
        // Checked again after each turn: a chunk finished while the holder was leaving found the turn taken.
        while (IsNextReady())
        {
            if (!_space.InsertReady(this, wait: false))
            {
                return;
            }
        }
    }

    private bool IsNextReady()
    {
        var next = Volatile.Read(ref _nextToInsert);
        return next < _encoder.ChunkCount && _encoder.Chunk(next) is not null;
    }

    EncodedAtomWriter? IReadyChunks.Next() => _nextToInsert < _encoder.ChunkCount ? _encoder.Chunk(_nextToInsert) : null;

    void IReadyChunks.Inserted(int added)
    {
        _added += added;
        _encoder.Release(_nextToInsert);
        Volatile.Write(ref _nextToInsert, _nextToInsert + 1);
    }
}
