namespace OrleansKb.Spaces;

/// <summary>What a <see cref="DurableSpace"/> tells its host (a silo logs it).</summary>
public interface IDurableSpaceObserver
{
    /// <summary>The space was recovered from its store: its atoms, those from its snapshot, then the log records replayed.</summary>
    void Recovered(long atoms, long snapshotAtoms, long records, TimeSpan elapsed);

    /// <summary>Recovery cut <paramref name="bytes"/> off the end of the log, kept in <paramref name="keptIn"/> (<see cref="Persistence.ISpaceRecovery.TornTail"/>).</summary>
    void TornTail(string keptIn, long bytes);

    /// <summary>A snapshot of <paramref name="atoms"/> atoms at record <paramref name="sequence"/> was published.</summary>
    void SnapshotWritten(long atoms, long sequence, TimeSpan elapsed);

    /// <summary>A snapshot failed; the log still holds every change, and the next snapshot tries again.</summary>
    void SnapshotFailed(Exception error, long sequence);

    /// <summary>The store failed after memory changed: the space takes no more changes and must be opened again (once).</summary>
    void StoreFailed(Exception error);
}
