using System.IO.Hashing;
using OrleansKb.Codec;
using OrleansKb.Persistence;

namespace OrleansKb.Spaces;

/// <summary>
/// Rebuilds an environment from a store (docs/durability.md): the snapshot's atoms in key order go
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
    private readonly AtomSpace _environment;
    private readonly HashSet<byte[]> _indexed = new(KeyComparer.Instance);

    internal SpaceRecovery(AtomSpace environment) => _environment = environment;

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

    public void SnapshotAtoms(ReadOnlySpan<byte> atoms)
    {
        lock (_environment.Sync)
        {
            foreach (var key in new EncodedItems(atoms))
            {
                _environment.AddAtomLocked(key);
                SnapshotAtomCount++;
            }
        }
    }

    public void SnapshotRules(ReadOnlySpan<byte> rules)
    {
        lock (_environment.Sync)
        {
            foreach (var rule in new EncodedItems(rules))
            {
                Index(rule);
            }
        }
    }

    public void Record(LogRecord record)
    {
        lock (_environment.Sync)
        {
            var atoms = record.Atoms.Span;
            switch (record.Operation)
            {
                case LogOperation.Clear:
                    _environment.ClearAtomsLocked();
                    _environment.Rules.Clear();
                    _indexed.Clear();
                    break;
                case LogOperation.Remove:
                    foreach (var key in new EncodedItems(atoms))
                    {
                        _environment.RemoveAtomLocked(key);
                        var shape = RuleShape.Of(key);
                        if (shape.Kind >= RuleKind.Headed && _indexed.Remove(key.ToArray()))
                        {
                            _environment.Rules.Remove(shape, key);
                        }
                    }

                    break;
                default:
                    foreach (var key in new EncodedItems(atoms))
                    {
                        _environment.AddAtomLocked(key);
                        Index(key);
                    }

                    break;
            }

            RecordsReplayed++;
            BytesReplayed += record.Atoms.Length;
        }
    }

    /// <summary>Ends the recovery: tidies the trie if the replay's removals left it wasteful.</summary>
    public void Finish()
    {
        lock (_environment.Sync)
        {
            _environment.CompactIfWasteful();
        }

        _indexed.Clear();
    }

    private void Index(ReadOnlySpan<byte> key)
    {
        var shape = RuleShape.Of(key);
        if (shape.Kind < RuleKind.Headed)
        {
            return;
        }

        var copy = key.ToArray();
        if (_indexed.Add(copy))
        {
            _environment.Rules.Add(shape, copy);
        }
    }

    /// <summary>Keys compared by content.</summary>
    private sealed class KeyComparer : IEqualityComparer<byte[]>
    {
        public static KeyComparer Instance { get; } = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => (int)XxHash3.HashToUInt64(obj);
    }
}
