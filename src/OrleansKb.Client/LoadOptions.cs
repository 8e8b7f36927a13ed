using OrleansKb.Spaces;

namespace OrleansKb.Client;

/// <summary>How the client loads atoms into a space: the bulk options (threads, threshold, batch bytes) and how many batches may be in flight at once.</summary>
public sealed record LoadOptions
{
    /// <summary>Encoding threads, parallel threshold and batch size (<see cref="BulkOptions.BatchBytes"/>, at most <see cref="SpaceLimits.MaxBatchBytes"/>).</summary>
    public BulkOptions Bulk { get; init; } = BulkOptions.CpuBound;

    /// <summary>Batches sent and not yet acknowledged, at most: while the grain inserts one, the client encodes and sends the next. Rules always go one at a time, to keep their order.</summary>
    public int BatchesInFlight { get; init; } = 4;

    /// <summary>The defaults.</summary>
    public static LoadOptions Default { get; } = new();

    internal void Validate()
    {
        Bulk.Validate();
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Bulk.BatchBytes, SpaceLimits.MaxBatchBytes, "Bulk.BatchBytes");
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchesInFlight, 1, nameof(BatchesInFlight));
    }
}
