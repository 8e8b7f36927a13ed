namespace OrleansKb.Grains;

/// <summary>How a silo's spaces keep their data (docs/durability.md). The silo binds it from its settings (<c>SnapshotLogBytes</c>).</summary>
public sealed class DurabilityOptions
{
    /// <summary>The least <see cref="SnapshotLogBytes"/> may be: below it a busy space would do little but take snapshots.</summary>
    public const long MinSnapshotLogBytes = 1L << 10;

    /// <summary>A space takes a snapshot in the background once its log has grown this much since the last one.</summary>
    public long SnapshotLogBytes { get; set; } = 256L << 20;
}
