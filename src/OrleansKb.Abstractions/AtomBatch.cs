using Orleans;

namespace OrleansKb;

/// <summary>
/// Encoded atoms back to back (docs/encoding.md): how atoms travel between client and grain, one
/// buffer per message and no object per atom. Immutable, so calls within a silo do not copy it.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("OrleansKb.AtomBatch")]
public sealed record AtomBatch([property: Id(0)] ReadOnlyMemory<byte> Bytes, [property: Id(1)] int Count)
{
    /// <summary>No atoms.</summary>
    public static AtomBatch Empty { get; } = new(ReadOnlyMemory<byte>.Empty, 0);
}
