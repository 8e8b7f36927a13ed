namespace OrleansKb.Storage;

public sealed partial class ByteTrie
{
    /// <summary>The position before the first byte of every key.</summary>
    internal static TriePosition Start => new(RootNode, 0, 0);

    /// <summary>
    /// Changes whenever a key is added or removed, and on <see cref="Clear"/> and <see cref="Compact"/>:
    /// a <see cref="TriePosition"/> taken at one version means nothing at another, so a walk that
    /// spans changes (a paged match) starts again from the last key it gave.
    /// </summary>
    internal int Version => _version;

    /// <summary>Follows <paramref name="bytes"/> from <paramref name="position"/>; false if no key continues that way.</summary>
    internal bool TryDescend(ref TriePosition position, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var run = Run(position);
            if (!run.IsEmpty)
            {
                var common = run.CommonPrefixLength(bytes);
                if (common == 0)
                {
                    return false;
                }

                position = position with { Offset = position.Offset + common };
                bytes = bytes[common..];
                continue;
            }

            if (position.Leaf != 0)
            {
                return false;
            }

            var slot = FindChild(position.Node, bytes[0], out _);
            if (slot < 0)
            {
                return false;
            }

            position = ChildPosition(slot);
            bytes = bytes[1..];
        }

        return true;
    }

    /// <summary>True if a key ends exactly at <paramref name="position"/>.</summary>
    internal bool IsKeyEnd(TriePosition position) => position.Leaf != 0
        ? position.Offset == LeafBytes(position.Leaf).Length
        : position.Offset == _nodes[position.Node].LabelLength && _nodes[position.Node].Terminal;

    /// <summary>How many keys pass through <paramref name="position"/>.</summary>
    internal long CountBelow(TriePosition position) => position.Leaf != 0 ? 1 : _nodes[position.Node].Count;

    /// <summary>The bytes left in the label or leaf <paramref name="position"/> is in: the only way on until they are read.</summary>
    internal ReadOnlySpan<byte> Run(TriePosition position) =>
        (position.Leaf != 0 ? LeafBytes(position.Leaf) : LabelOf(position.Node))[position.Offset..];

    /// <summary>Where the keys branch at the end of a node's label: how many ways on (0 at the end of a leaf).</summary>
    internal int ChildCount(TriePosition position) => position.Leaf != 0 ? 0 : _nodes[position.Node].ChildCount;

    /// <summary>The bytes that lead to each way on from the end of a node's label, ascending (empty at the end of a leaf).</summary>
    internal ReadOnlySpan<byte> ChildKeys(TriePosition position)
    {
        if (position.Leaf != 0)
        {
            return [];
        }

        ref var node = ref _nodes[position.Node];
        return _childKeys.AsSpan(node.ChildStart, node.ChildCount);
    }

    /// <summary>The <paramref name="index"/>-th way on from the end of a node's label (in byte order), and the byte that leads there.</summary>
    internal TriePosition Child(TriePosition position, int index, out byte edge)
    {
        var slot = _nodes[position.Node].ChildStart + index;
        edge = _childKeys[slot];
        return ChildPosition(slot);
    }

    private TriePosition ChildPosition(int slot)
    {
        var child = _childRefs[slot];
        return child > 0 ? new TriePosition(child, 0, 0) : new TriePosition(0, child, 0);
    }
}
