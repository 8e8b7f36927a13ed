namespace OrleansKb.Storage;

/// <summary>
/// Bytes held by a <see cref="ByteTrie"/>: <see cref="LiveBytes"/> is what the keys need (nodes,
/// child entries, labels and leaves); <see cref="GarbageBytes"/> what removals and splits left
/// behind until <see cref="ByteTrie.Compact"/>; <see cref="AllocatedBytes"/> the arenas' capacity,
/// which grows by doubling.
/// </summary>
public readonly record struct TrieMemory(long NodeBytes, long ChildBytes, long KeyBytes, long GarbageBytes, long AllocatedBytes)
{
    /// <summary>Nodes, child entries and key bytes in use.</summary>
    public long LiveBytes => NodeBytes + ChildBytes + KeyBytes;
}
