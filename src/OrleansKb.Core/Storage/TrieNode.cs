namespace OrleansKb.Storage;

/// <summary>
/// One node of <see cref="ByteTrie"/>, 20 bytes in the node arena. A node stands for the bytes of
/// its label (a path-compressed run, in the byte arena) after the byte on the edge into it; its
/// children are a sorted block of (byte, reference) pairs in the child arena.
/// </summary>
internal struct TrieNode
{
    /// <summary>Where the label starts in the byte arena.</summary>
    public int LabelStart;

    public int LabelLength;

    /// <summary>Where the node's block of children starts in the child arena.</summary>
    public int ChildStart;

    public ushort ChildCount;

    /// <summary>The block holds 2^CapacityClass children.</summary>
    public byte CapacityClass;

    /// <summary>A key ends at this node (never for encoded atoms, which are prefix-free, but allowed).</summary>
    public bool Terminal;

    /// <summary>How many keys this subtree holds: counts under a prefix are one descent away.</summary>
    public int Count;
}
