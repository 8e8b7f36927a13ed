using System.IO.Hashing;
using OrleansKb.Persistence;

namespace OrleansKb.Spaces;

/// <summary>
/// Rebuilds a space from a store (docs/durability.md): the snapshot's atoms in key order go
/// into the trie (sorted insertion, no validation: the data is ours and checksummed), its rules into
/// the index in insertion order, then the log records after it are replayed.
/// <para>
/// A snapshot is fuzzy: its atoms were read page by page while the space changed, so one atom may be
/// in it and removed by a record, or missing and added by one. Replaying every record in order makes
/// the trie exact (the last operation on each atom decides). The rules in the snapshot are exactly
/// those indexed when it began, so the index follows its own membership during replay, not the
/// trie's: an add indexes a rule unless it is indexed, a remove unindexes it — as the live index did.
/// </para>
/// </summary>
public sealed class SpaceRecovery : ISpaceRecovery
{
    private readonly AtomSpace _space;

    // The rules the index holds, by content: what the replay follows instead of the trie.
    private readonly HashSet<byte[]> _indexed = new(KeyComparer.Instance);

    internal SpaceRecovery(AtomSpace space) => _space = space;

    /// <summary>Atoms recovered from the snapshot.</summary>
    public long SnapshotAtomCount { get; private set; }

    /// <summary>Log records replayed.</summary>
    public long RecordsReplayed { get; private set; }

    /// <summary>The encoded bytes of the log records replayed: how much log a snapshot would spare the next recovery.</summary>
    public long BytesReplayed { get; private set; }

    /// <summary>The bytes cut off the end of the log as a torn tail (0 when there were none).</summary>
    public long TornTailBytes { get; private set; }

    /// <summary>Where the store kept the torn tail's bytes, when there was one.</summary>
    public string? TornTailKeptIn { get; private set; }

    public void TornTail(string keptIn, long bytes) => (TornTailKeptIn, TornTailBytes) = (keptIn, TornTailBytes + bytes);

    public void SnapshotAtoms(ReadOnlySpan<byte> atoms) => SnapshotAtomCount += _space.RecoverAtoms(atoms);

    public void SnapshotRules(ReadOnlySpan<byte> rules) => _space.RecoverRules(rules, _indexed);

    public void Record(LogRecord record)
    {
        _space.Replay(record, _indexed);
        RecordsReplayed++;
        BytesReplayed += record.Atoms.Length;
    }

    /// <summary>Ends the recovery: tidies the trie if the replay's removals left it wasteful.</summary>
    public void Finish()
    {
        _space.FinishRecovery();
        _indexed.Clear();
    }

    /// <summary>Keys compared by content.</summary>
    private sealed class KeyComparer : IEqualityComparer<byte[]>
    {
        public static KeyComparer Instance { get; } = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => (int)XxHash3.HashToUInt64(obj);
    }
}
