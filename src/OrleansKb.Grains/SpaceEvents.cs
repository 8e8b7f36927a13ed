using Microsoft.Extensions.Logging;
using OrleansKb.Spaces;

namespace OrleansKb.Grains;

/// <summary>What a space's <see cref="DurableSpace"/> tells its grain: logged (<see cref="SpaceLog"/>); a store failure also deactivates the grain.</summary>
internal sealed class SpaceEvents(ILogger logger, string space, string store, Action deactivate) : IDurableSpaceObserver
{
    public void Recovered(long atoms, long snapshotAtoms, long records, TimeSpan elapsed) =>
        SpaceLog.Recovered(logger, space, store, atoms, snapshotAtoms, records, (long)elapsed.TotalMilliseconds);

    public void TornTail(string keptIn, long bytes) => SpaceLog.TornTail(logger, space, bytes, keptIn);

    public void SnapshotWritten(long atoms, long sequence, TimeSpan elapsed) =>
        SpaceLog.SnapshotWritten(logger, space, atoms, sequence, (long)elapsed.TotalMilliseconds);

    public void SnapshotFailed(Exception error, long sequence) => SpaceLog.SnapshotFailed(logger, error, space, sequence);

    public void StoreFailed(Exception error)
    {
        SpaceLog.StoreFailed(logger, error, space);
        deactivate();
    }
}
