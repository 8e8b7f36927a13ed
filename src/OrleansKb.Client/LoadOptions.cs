using OrleansKb.Spaces;

namespace OrleansKb.Client;

/// <summary>How the client loads atoms into a space: the bulk options (threads, threshold, batch bytes) and how many batches may be in flight at once.</summary>
public sealed record LoadOptions
{
    /// <summary>Encoding threads, parallel threshold and batch size (<see cref="BulkOptions.BatchBytes"/>, at most <see cref="SpaceLimits.MaxBatchBytes"/>).</summary>
    public BulkOptions Bulk { get; init; } = BulkOptions.CpuBound;

    /// <summary>Batches sent and not yet acknowledged, at most: while the grain inserts one, the client encodes and sends the next. Rules always go one at a time, to keep their order.</summary>
    public int BatchesInFlight { get; init; } = 4;

    /// <summary>
    /// Into how many partitions a load divides a new, empty space (docs/cluster.md, "Partitioned
    /// spaces"), at split keys chosen from a sample of every atom it checks; null (the default) loads
    /// into the space as it is. A space already divided keeps its partitions; one that holds atoms is
    /// not divided (the load is refused before anything is sent).
    /// </summary>
    public int? Partitions { get; init; }

    /// <summary>The most partitions a load may divide a space into.</summary>
    public const int MaxPartitions = 1024;

    /// <summary>The defaults.</summary>
    public static LoadOptions Default { get; } = new();

    internal void Validate()
    {
        Bulk.Validate();
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Bulk.BatchBytes, SpaceLimits.MaxBatchBytes, "Bulk.BatchBytes");
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchesInFlight, 1, nameof(BatchesInFlight));
        if (Partitions is { } partitions)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1, nameof(Partitions));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(partitions, MaxPartitions, nameof(Partitions));
        }
    }
}
