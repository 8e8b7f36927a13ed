namespace OrleansKb.Persistence;

/// <summary>What a store hands a recovering space, in this order: snapshot atoms, snapshot rules, log records.</summary>
public interface ISpaceRecovery
{
    /// <summary>A chunk of the snapshot's atoms, encoded back to back, in key order; checksummed, so not validated again.</summary>
    void SnapshotAtoms(ReadOnlySpan<byte> atoms);

    /// <summary>A chunk of the snapshot's rules, encoded back to back, in insertion order.</summary>
    void SnapshotRules(ReadOnlySpan<byte> rules);

    /// <summary>A log record after the snapshot, in sequence order.</summary>
    void Record(LogRecord record);

    /// <summary>
    /// The end of the log could not be read as a record — a write a crash cut short, or the last
    /// record damaged — and was cut off: <paramref name="bytes"/> bytes, kept in <paramref name="keptIn"/>.
    /// The space recovers without them.
    /// </summary>
    void TornTail(string keptIn, long bytes);
}
