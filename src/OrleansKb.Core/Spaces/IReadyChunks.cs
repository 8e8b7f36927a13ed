using OrleansKb.Codec;

namespace OrleansKb.Spaces;

/// <summary>The encoded chunks of a parallel bulk add, handed to <see cref="AtomSpace.InsertReady"/> in input order as they become ready.</summary>
internal interface IReadyChunks
{
    /// <summary>The next chunk to insert, if it is encoded; null if it is not yet, or none is left.</summary>
    EncodedAtomWriter? Next();

    /// <summary>The chunk <see cref="Next"/> gave is inserted, <paramref name="added"/> of its atoms new.</summary>
    void Inserted(int added);
}
