using OrleansKb.Spaces;

namespace OrleansKb.Tests;

/// <summary>What a <see cref="DurableSpace"/> told its host, one line per event.</summary>
internal sealed class RecordingObserver : IDurableSpaceObserver
{
    public List<string> Events { get; } = [];

    public void Recovered(long atoms, long snapshotAtoms, long records, TimeSpan elapsed) => Events.Add($"recovered {atoms} atoms, {snapshotAtoms} from the snapshot, {records} records");

    public void TornTail(string keptIn, long bytes) => Events.Add($"torn tail of {bytes} bytes kept in {keptIn}");

    public void SnapshotWritten(long atoms, long sequence, TimeSpan elapsed) => Events.Add($"snapshot of {atoms} atoms at {sequence}");

    public void SnapshotFailed(Exception error, long sequence) => Events.Add($"snapshot at {sequence} failed: {error.Message}");

    public void StoreFailed(Exception error) => Events.Add($"store failed: {error.Message}");
}
