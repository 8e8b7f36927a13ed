namespace OrleansKb.Grains;

/// <summary>How a silo's spaces keep their data (docs/durability.md). Bound from the silo's configuration section <c>Store</c>.</summary>
public sealed class DurabilityOptions
{
    /// <summary>A space takes a snapshot in the background once its log has grown this much since the last one.</summary>
    public long SnapshotLogBytes { get; set; } = 256L << 20;

    internal void Validate() => ArgumentOutOfRangeException.ThrowIfLessThan(SnapshotLogBytes, 1L << 10, "Store:SnapshotLogBytes");
}
