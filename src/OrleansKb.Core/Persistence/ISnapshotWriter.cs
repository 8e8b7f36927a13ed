namespace OrleansKb.Persistence;

/// <summary>A snapshot being written: atoms in key order, then rules in insertion order, then published; until then it is invisible.</summary>
public interface ISnapshotWriter : IAsyncDisposable
{
    /// <summary>Writes a chunk of atoms (encoded, back to back, after every atom written before them in key order).</summary>
    Task WriteAtomsAsync(ReadOnlyMemory<byte> atoms, int count, CancellationToken cancellationToken = default);

    /// <summary>Writes a chunk of rules (encoded, back to back, in insertion order), after all the atoms.</summary>
    Task WriteRulesAsync(ReadOnlyMemory<byte> rules, int count, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes the snapshot the one the space recovers from, atomically, and drops what it makes
    /// unnecessary (older snapshots beyond one, and the log the older one covers). Disposing an
    /// unpublished writer discards it.
    /// </summary>
    Task PublishAsync(CancellationToken cancellationToken = default);
}
