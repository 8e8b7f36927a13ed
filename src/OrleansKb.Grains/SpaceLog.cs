using Microsoft.Extensions.Logging;

namespace OrleansKb.Grains;

/// <summary>What a space tells the silo's log.</summary>
internal static partial class SpaceLog
{
    [LoggerMessage(1, LogLevel.Information, "Space {Space} recovered from {Store}: {Atoms} atoms ({SnapshotAtoms} from its snapshot, then {Records} log records) in {Milliseconds} ms")]
    public static partial void Recovered(ILogger logger, string space, string store, long atoms, long snapshotAtoms, long records, long milliseconds);

    [LoggerMessage(2, LogLevel.Error, "Space {Space}: its store failed; the space deactivates and will recover what is durable")]
    public static partial void StoreFailed(ILogger logger, Exception error, string space);

    [LoggerMessage(3, LogLevel.Information, "Space {Space}: snapshot of {Atoms} atoms at record {Sequence} in {Milliseconds} ms")]
    public static partial void SnapshotWritten(ILogger logger, string space, long atoms, long sequence, long milliseconds);

    [LoggerMessage(4, LogLevel.Warning, "Space {Space}: the snapshot at record {Sequence} failed; the log still holds every change")]
    public static partial void SnapshotFailed(ILogger logger, Exception error, string space, long sequence);

    [LoggerMessage(5, LogLevel.Warning, "Space {Space}: the end of its log could not be read as a record (a write a crash cut short, or damage): {Bytes} bytes were set aside in {KeptIn} and the space recovered without them; a batch they held, if it was acknowledged, must be loaded again")]
    public static partial void TornTail(ILogger logger, string space, long bytes, string keptIn);

    [LoggerMessage(6, LogLevel.Information, "Space {Space}: partition {Partition} grew past PartitionMaxAtoms and was split: {Atoms} atoms copied in {Milliseconds} ms; the space has {Partitions} partitions")]
    public static partial void Split(ILogger logger, string space, int partition, long atoms, long milliseconds, int partitions);

    [LoggerMessage(7, LogLevel.Warning, "Space {Space}: splitting partition {Partition} failed; it splits when it next grows")]
    public static partial void SplitFailed(ILogger logger, Exception error, string space, int partition);

    [LoggerMessage(8, LogLevel.Warning, "Space {Space}: the summary of partition {Partition}'s later arguments could not be fetched; lookups by a later argument ask it until it is")]
    public static partial void ArgumentsNotFetched(ILogger logger, Exception error, string space, int partition);

    [LoggerMessage(9, LogLevel.Warning, "Space {Space}: partition {Partition} left the map, and deleting what its store keeps failed; it is tried again when the partition is next activated")]
    public static partial void DropFailed(ILogger logger, Exception error, string space, int partition);

    [LoggerMessage(10, LogLevel.Warning, "The silo's memory report could not be kept in its store; spaces are placed by the placement rule alone until it is")]
    public static partial void MemoryReportFailed(ILogger logger, Exception error);
}
