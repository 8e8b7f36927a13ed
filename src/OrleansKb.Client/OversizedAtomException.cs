namespace OrleansKb.Client;

/// <summary>An atom whose encoding exceeds <see cref="SpaceLimits.MaxAtomBytes"/>: refused before it is sent.</summary>
public sealed class OversizedAtomException(long atomIndex, long bytes)
    : Exception($"atom {atomIndex} encodes to {bytes:N0} bytes, more than the {SpaceLimits.MaxAtomBytes:N0} a space accepts; nothing was sent")
{
    public long AtomIndex { get; } = atomIndex;

    public long Bytes { get; } = bytes;
}
