using System.Runtime.CompilerServices;
using OrleansKb.Codec;

namespace OrleansKb.Storage;

/// <summary>
/// A set of byte strings: a path-compressed trie kept in three arenas (arrays indexed by integers),
/// so millions of keys cost a few large arrays and no object per key.
/// <list type="bullet">
/// <item>Nodes (<see cref="TrieNode"/>, 20 bytes) hold a label — a run of key bytes, stored once in
/// the byte arena — and a block of children sorted by byte in the child arena. A block holds a power
/// of two of entries (1 to 256), so child lookup is sized to the node's fan-out; freed blocks are
/// reused by size.</item>
/// <item>A child is either a node or a <em>leaf</em>: the rest of one key, stored inline in the
/// byte arena as a varint length and the bytes. Most keys therefore cost one child entry (5 bytes)
/// and their unshared suffix, and no node.</item>
/// <item>Every node counts the keys below it: <see cref="Count"/> is O(1) and the number of keys
/// under a prefix is one descent away.</item>
/// <item><see cref="Add"/> keeps a <em>finger</em>: the path of the key it added last. The next key
/// resumes from the deepest node on that path it shares, instead of from the root, so keys that
/// arrive clustered (a file's facts about one subject; a sorted batch) skip most of the descent.</item>
/// </list>
/// Not thread-safe: the owner (an <c>AtomSpace</c>, a grain) serialises access.
/// </summary>
public sealed partial class ByteTrie
{
    private const int RootNode = 0;
    private const int MaxCapacityClass = 8;

    private readonly List<int>[] _freeBlocks = [.. Enumerable.Range(0, MaxCapacityClass + 1).Select(_ => new List<int>())];
    private readonly List<int> _freeNodes = [];
    private TrieNode[] _nodes = new TrieNode[64];
    private int _nodesUsed;
    private byte[] _childKeys = new byte[256];
    private int[] _childRefs = new int[256];
    private int _childrenUsed;
    private byte[] _bytes = new byte[1024];
    private int _bytesUsed;
    private long _garbageBytes;
    private int _version;
    private int[] _path = new int[64];

    // The finger: the last added key, and the first _fingerDepth entries of _path / _pathStarts
    // (node, offset in the key where its label starts) on its path. Reset by anything that removes nodes.
    private int[] _pathStarts = new int[64];
    private byte[] _lastKey = new byte[64];
    private int _lastKeyLength;
    private int _fingerDepth;

    public ByteTrie() => NewNode(0, 0, 0);

    /// <summary>The number of keys.</summary>
    public long Count => _nodes[RootNode].Count;

    /// <summary>The memory the trie's arenas use and hold (see <see cref="TrieMemory"/>).</summary>
    public TrieMemory Memory => new(
        (long)(_nodesUsed - _freeNodes.Count) * Unsafe.SizeOf<TrieNode>(),
        (long)_childrenUsed * (sizeof(byte) + sizeof(int)),
        _bytesUsed - _garbageBytes,
        _garbageBytes,
        ((long)_nodes.Length * Unsafe.SizeOf<TrieNode>()) + _childKeys.Length + ((long)_childRefs.Length * sizeof(int)) + _bytes.Length);

    /// <summary>Adds <paramref name="key"/>; true if it was not already present.</summary>
    public bool Add(ReadOnlySpan<byte> key)
    {
        var added = AddFromFinger(key, out var depth);
        _fingerDepth = depth;
        if (added)
        {
            _version++;
        }

        if (key.Length > _lastKey.Length)
        {
            _lastKey = new byte[Math.Max(key.Length, _lastKey.Length * 2)];
        }

        key.CopyTo(_lastKey);
        _lastKeyLength = key.Length;
        return added;
    }

    private bool AddFromFinger(ReadOnlySpan<byte> key, out int depth)
    {
        // Resume at the deepest node of the last key's path whose label starts within the prefix
        // both keys share: everything above it is on this key's path too. The root always qualifies.
        var shared = key.CommonPrefixLength(_lastKey.AsSpan(0, _lastKeyLength));
        depth = _fingerDepth;
        while (depth > 1 && _pathStarts[depth - 1] > shared)
        {
            depth--;
        }

        depth = Math.Max(depth - 1, 0);
        var node = depth == 0 ? RootNode : _path[depth];
        var i = depth == 0 ? 0 : _pathStarts[depth];
        while (true)
        {
            PushPath(ref depth, node, i);
            var labelLength = _nodes[node].LabelLength;
            var common = labelLength == 0 ? 0 : LabelOf(node).CommonPrefixLength(key[i..]);
            if (common < labelLength)
            {
                SplitNode(node, common);
            }

            i += common;
            if (i == key.Length)
            {
                if (_nodes[node].Terminal)
                {
                    return false;
                }

                _nodes[node].Terminal = true;
                AddToPath(depth, 1);
                return true;
            }

            var b = key[i];
            var slot = FindChild(node, b, out var insertAt);
            if (slot < 0)
            {
                InsertChild(node, insertAt, b, LeafRef(AppendLeaf(key[(i + 1)..])));
                AddToPath(depth, 1);
                return true;
            }

            var child = _childRefs[slot];
            if (child > 0)
            {
                node = child;
                i++;
                continue;
            }

            if (!SplitLeaf(slot, key[(i + 1)..]))
            {
                return false;
            }

            AddToPath(depth, 1);
            return true;
        }
    }

    /// <summary>True if <paramref name="key"/> is in the set.</summary>
    public bool Contains(ReadOnlySpan<byte> key)
    {
        var node = RootNode;
        var i = 0;
        while (true)
        {
            var label = LabelOf(node);
            if (!key[i..].StartsWith(label))
            {
                return false;
            }

            i += label.Length;
            if (i == key.Length)
            {
                return _nodes[node].Terminal;
            }

            var slot = FindChild(node, key[i], out _);
            if (slot < 0)
            {
                return false;
            }

            var child = _childRefs[slot];
            if (child < 0)
            {
                return LeafBytes(child).SequenceEqual(key[(i + 1)..]);
            }

            node = child;
            i++;
        }
    }

    /// <summary>The number of keys that start with <paramref name="prefix"/>: one descent, no enumeration.</summary>
    public long CountWithPrefix(ReadOnlySpan<byte> prefix)
    {
        var node = RootNode;
        var i = 0;
        while (true)
        {
            var label = LabelOf(node);
            var rest = prefix[i..];
            if (rest.Length <= label.Length)
            {
                return label.StartsWith(rest) ? _nodes[node].Count : 0;
            }

            if (!rest.StartsWith(label))
            {
                return 0;
            }

            i += label.Length;
            var slot = FindChild(node, prefix[i], out _);
            if (slot < 0)
            {
                return 0;
            }

            var child = _childRefs[slot];
            if (child < 0)
            {
                return LeafBytes(child).StartsWith(prefix[(i + 1)..]) ? 1 : 0;
            }

            node = child;
            i++;
        }
    }

    /// <summary>
    /// The key at <paramref name="rank"/> in ascending byte order (0 is the first): one descent, which
    /// the subtrees' counts steer, so quantiles of millions of keys cost no enumeration.
    /// </summary>
    public byte[] KeyAt(long rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, Count);
        var key = new List<byte>(64);
        var node = RootNode;
        while (true)
        {
            key.AddRange(LabelOf(node));

            // A key ending here comes before every key that goes on through a child.
            if (_nodes[node].Terminal && rank-- == 0)
            {
                return [.. key];
            }

            ref var parent = ref _nodes[node];
            var slot = parent.ChildStart;
            for (var end = slot + parent.ChildCount; slot < end; slot++)
            {
                var child = _childRefs[slot];
                var below = child < 0 ? 1 : _nodes[child].Count;
                if (rank < below)
                {
                    break;
                }

                rank -= below;
            }

            key.Add(_childKeys[slot]);
            var next = _childRefs[slot];
            if (next < 0)
            {
                key.AddRange(LeafBytes(next));
                return [.. key];
            }

            node = next;
        }
    }

    /// <summary>Removes <paramref name="key"/>; true if it was present.</summary>
    public bool Remove(ReadOnlySpan<byte> key)
    {
        _fingerDepth = 0;
        var node = RootNode;
        var depth = 0;
        var i = 0;
        while (true)
        {
            PushPath(ref depth, node, i);
            var label = LabelOf(node);
            if (!key[i..].StartsWith(label))
            {
                return false;
            }

            i += label.Length;
            if (i == key.Length)
            {
                if (!_nodes[node].Terminal)
                {
                    return false;
                }

                _nodes[node].Terminal = false;
                AddToPath(depth, -1);
                Tidy(depth);
                _version++;
                return true;
            }

            var slot = FindChild(node, key[i], out _);
            if (slot < 0)
            {
                return false;
            }

            var child = _childRefs[slot];
            if (child > 0)
            {
                node = child;
                i++;
                continue;
            }

            if (!LeafBytes(child).SequenceEqual(key[(i + 1)..]))
            {
                return false;
            }

            _garbageBytes += LeafSize(child);
            RemoveChild(node, slot);
            AddToPath(depth, -1);
            Tidy(depth);
            _version++;
            return true;
        }
    }

    /// <summary>Removes every key and gives the arenas' memory back: a cleared space costs what an empty one does.</summary>
    public void Clear() => TakeArenasOf(new ByteTrie());

    /// <summary>Compacts once removals and splits have left half of the arenas garbage (and at least 64 KiB of it).</summary>
    public void CompactIfWasteful()
    {
        var memory = Memory;
        if (memory.GarbageBytes > 1 << 16 && memory.GarbageBytes > memory.LiveBytes / 2)
        {
            Compact();
        }
    }

    /// <summary>Rebuilds the arenas without the bytes removed keys left behind, and at the size the keys need.</summary>
    public void Compact()
    {
        var compacted = new ByteTrie();
        foreach (var key in EnumerateKeys())
        {
            compacted.Add(key);
        }

        TakeArenasOf(compacted);
    }

    private void TakeArenasOf(ByteTrie other)
    {
        _nodes = other._nodes;
        _nodesUsed = other._nodesUsed;
        _childKeys = other._childKeys;
        _childRefs = other._childRefs;
        _childrenUsed = other._childrenUsed;
        _bytes = other._bytes;
        _bytesUsed = other._bytesUsed;
        _garbageBytes = other._garbageBytes;
        _fingerDepth = 0;
        _lastKeyLength = 0;
        _version++;
        _freeNodes.Clear();
        _freeNodes.AddRange(other._freeNodes);
        for (var c = 0; c <= MaxCapacityClass; c++)
        {
            _freeBlocks[c].Clear();
            _freeBlocks[c].AddRange(other._freeBlocks[c]);
        }
    }

    private ReadOnlySpan<byte> LabelOf(int node)
    {
        ref var n = ref _nodes[node];
        return _bytes.AsSpan(n.LabelStart, n.LabelLength);
    }

    private static int LeafRef(int offset) => ~offset;

    /// <summary>The bytes of a leaf (a negative child reference): the rest of one key.</summary>
    private ReadOnlySpan<byte> LeafBytes(int leafRef)
    {
        var offset = ~leafRef;
        var length = ReadVarint(offset, out var header);
        return _bytes.AsSpan(offset + header, length);
    }

    private int LeafSize(int leafRef)
    {
        var length = ReadVarint(~leafRef, out var header);
        return header + length;
    }

    private int ReadVarint(int offset, out int header)
    {
        var end = offset;
        var value = EncodedItem.ReadVarint(_bytes, ref end);
        header = end - offset;
        return value;
    }

    private int AppendLeaf(ReadOnlySpan<byte> rest)
    {
        var header = EncodingTags.VarintLength(rest.Length);
        EnsureBytes(header + rest.Length);
        var offset = _bytesUsed;
        EncodingTags.WriteVarint(_bytes.AsSpan(offset), rest.Length);
        rest.CopyTo(_bytes.AsSpan(offset + header));
        _bytesUsed += header + rest.Length;
        return offset;
    }

    /// <summary>
    /// The child at <paramref name="slot"/> is a leaf that shares a first byte with
    /// <paramref name="rest"/>: replace it by a node holding both, unless it is the same key.
    /// </summary>
    private bool SplitLeaf(int slot, ReadOnlySpan<byte> rest)
    {
        var leafRef = _childRefs[slot];
        var offset = ~leafRef;
        var length = ReadVarint(offset, out var header);
        var start = offset + header;
        var suffix = _bytes.AsSpan(start, length);
        var common = suffix.CommonPrefixLength(rest);
        if (common == length && common == rest.Length)
        {
            return false;
        }

        // The new node's label is the shared run, left where it is in the old leaf's bytes.
        var node = NewNode(start, common, capacityClass: 1);
        _nodes[node].Count = 2;
        _garbageBytes += header;
        if (common == length)
        {
            _nodes[node].Terminal = true;
        }
        else
        {
            // The old leaf's byte at `common` moves into the child entry; its slot in the arena can
            // hold the remainder's length when that fits one byte, so the remainder stays in place.
            var edge = suffix[common];
            var remainder = length - common - 1;
            int remainderLeaf;
            if (remainder < 0x80)
            {
                _bytes[start + common] = (byte)remainder;
                remainderLeaf = start + common;
            }
            else
            {
                _garbageBytes += remainder + 1;
                remainderLeaf = AppendLeaf(_bytes.AsSpan(start + common + 1, remainder));
            }

            AppendChild(node, edge, LeafRef(remainderLeaf));
        }

        if (common == rest.Length)
        {
            _nodes[node].Terminal = true;
        }
        else
        {
            var edge = rest[common];
            var newLeaf = LeafRef(AppendLeaf(rest[(common + 1)..]));
            _ = FindChild(node, edge, out var insertAt);
            InsertChild(node, insertAt, edge, newLeaf);
        }

        _childRefs[slot] = node;
        return true;
    }

    /// <summary>Splits a node's label after <paramref name="common"/> bytes: the rest moves to a new child node.</summary>
    private void SplitNode(int node, int common)
    {
        var lower = NewNode(0, 0, capacityClass: -1);
        ref var upper = ref _nodes[node];
        var edge = _bytes[upper.LabelStart + common];
        _nodes[lower] = upper with
        {
            LabelStart = upper.LabelStart + common + 1,
            LabelLength = upper.LabelLength - common - 1,
        };
        upper.LabelLength = common;
        upper.Terminal = false;
        upper.ChildStart = AllocateBlock(0);
        upper.CapacityClass = 0;
        upper.ChildCount = 0;
        AppendChild(node, edge, lower);
    }

    /// <summary>
    /// After a removal: a non-root node on the path with no children and no key of its own goes; one
    /// with a single child merges with it, so labels stay maximal.
    /// </summary>
    private void Tidy(int depth)
    {
        for (var level = depth - 1; level >= 1; level--)
        {
            var node = _path[level];
            ref var n = ref _nodes[node];
            if (n.Terminal || n.ChildCount > 1)
            {
                return;
            }

            var parent = _path[level - 1];
            var parentSlot = SlotOfChildNode(parent, node);
            if (n.ChildCount == 0)
            {
                RemoveChild(parent, parentSlot);
                FreeNode(node);
                continue;
            }

            MergeWithOnlyChild(node, parentSlot);
            return;
        }
    }

    private void MergeWithOnlyChild(int node, int parentSlot)
    {
        ref var n = ref _nodes[node];
        var edge = _childKeys[n.ChildStart];
        var child = _childRefs[n.ChildStart];
        var label = LabelOf(node);
        if (child < 0)
        {
            // label + edge + leaf bytes become one leaf.
            var leaf = LeafBytes(child);
            var merged = new byte[label.Length + 1 + leaf.Length];
            label.CopyTo(merged);
            merged[label.Length] = edge;
            leaf.CopyTo(merged.AsSpan(label.Length + 1));
            _garbageBytes += LeafSize(child) + label.Length;
            _childRefs[parentSlot] = LeafRef(AppendLeaf(merged));
        }
        else
        {
            // label + edge + child's label become the child's label.
            var childLabel = LabelOf(child);
            var mergedLength = label.Length + 1 + childLabel.Length;
            EnsureBytes(mergedLength);
            var start = _bytesUsed;
            LabelOf(node).CopyTo(_bytes.AsSpan(start));
            _bytes[start + label.Length] = edge;
            LabelOf(child).CopyTo(_bytes.AsSpan(start + label.Length + 1));
            _bytesUsed += mergedLength;
            _garbageBytes += label.Length + childLabel.Length;
            _nodes[child].LabelStart = start;
            _nodes[child].LabelLength = mergedLength;
            _childRefs[parentSlot] = child;
        }

        FreeNode(node);
    }

    private int SlotOfChildNode(int parent, int child)
    {
        ref var p = ref _nodes[parent];
        return p.ChildStart + _childRefs.AsSpan(p.ChildStart, p.ChildCount).IndexOf(child);
    }

    /// <summary>The child slot for <paramref name="b"/>, or -1 with the sorted position to insert it at.</summary>
    private int FindChild(int node, byte b, out int insertAt)
    {
        ref var n = ref _nodes[node];
        var keys = _childKeys.AsSpan(n.ChildStart, n.ChildCount);
        var index = keys.Length <= 16 ? LinearSearch(keys, b) : keys.BinarySearch(b);
        if (index >= 0)
        {
            insertAt = index;
            return n.ChildStart + index;
        }

        insertAt = ~index;
        return -1;

        static int LinearSearch(ReadOnlySpan<byte> keys, byte b)
        {
            for (var i = 0; i < keys.Length; i++)
            {
                if (keys[i] >= b)
                {
                    return keys[i] == b ? i : ~i;
                }
            }

            return ~keys.Length;
        }
    }

    private void AppendChild(int node, byte key, int childRef) => InsertChild(node, _nodes[node].ChildCount, key, childRef);

    private void InsertChild(int node, int at, byte key, int childRef)
    {
        ref var n = ref _nodes[node];
        if (n.ChildCount == 1 << n.CapacityClass)
        {
            var larger = AllocateBlock(n.CapacityClass + 1);
            n = ref _nodes[node];
            _childKeys.AsSpan(n.ChildStart, n.ChildCount).CopyTo(_childKeys.AsSpan(larger));
            _childRefs.AsSpan(n.ChildStart, n.ChildCount).CopyTo(_childRefs.AsSpan(larger));
            _freeBlocks[n.CapacityClass].Add(n.ChildStart);
            n.ChildStart = larger;
            n.CapacityClass++;
        }

        var start = n.ChildStart;
        var count = n.ChildCount;
        if (at < count)
        {
            _childKeys.AsSpan(start + at, count - at).CopyTo(_childKeys.AsSpan(start + at + 1));
            _childRefs.AsSpan(start + at, count - at).CopyTo(_childRefs.AsSpan(start + at + 1));
        }

        _childKeys[start + at] = key;
        _childRefs[start + at] = childRef;
        n.ChildCount++;
    }

    private void RemoveChild(int node, int slot)
    {
        ref var n = ref _nodes[node];
        var end = n.ChildStart + n.ChildCount;
        _childKeys.AsSpan(slot + 1, end - slot - 1).CopyTo(_childKeys.AsSpan(slot));
        _childRefs.AsSpan(slot + 1, end - slot - 1).CopyTo(_childRefs.AsSpan(slot));
        _childRefs[end - 1] = 0;
        n.ChildCount--;
    }

    private int AllocateBlock(int capacityClass)
    {
        var free = _freeBlocks[capacityClass];
        if (free.Count > 0)
        {
            var reused = free[^1];
            free.RemoveAt(free.Count - 1);
            return reused;
        }

        var size = 1 << capacityClass;
        if (_childrenUsed + size > _childKeys.Length)
        {
            var capacity = Math.Max(_childKeys.Length * 2, _childrenUsed + size);
            Array.Resize(ref _childKeys, capacity);
            Array.Resize(ref _childRefs, capacity);
        }

        var start = _childrenUsed;
        _childrenUsed += size;
        return start;
    }

    /// <summary>A new node; <paramref name="capacityClass"/> -1 means the caller sets its children.</summary>
    private int NewNode(int labelStart, int labelLength, int capacityClass)
    {
        int node;
        if (_freeNodes.Count > 0)
        {
            node = _freeNodes[^1];
            _freeNodes.RemoveAt(_freeNodes.Count - 1);
        }
        else
        {
            if (_nodesUsed == _nodes.Length)
            {
                Array.Resize(ref _nodes, _nodes.Length * 2);
            }

            node = _nodesUsed++;
        }

        _nodes[node] = new TrieNode
        {
            LabelStart = labelStart,
            LabelLength = labelLength,
            ChildStart = capacityClass < 0 ? 0 : AllocateBlock(capacityClass),
            CapacityClass = (byte)Math.Max(0, capacityClass),
        };
        return node;
    }

    private void FreeNode(int node)
    {
        ref var n = ref _nodes[node];
        _freeBlocks[n.CapacityClass].Add(n.ChildStart);
        n = default;
        _freeNodes.Add(node);
    }

    private void EnsureBytes(int more)
    {
        if (_bytesUsed + more > _bytes.Length)
        {
            Array.Resize(ref _bytes, (int)Math.Min(Array.MaxLength, Math.Max(2L * _bytes.Length, (long)_bytesUsed + more)));
        }
    }

    private void PushPath(ref int depth, int node, int labelStart)
    {
        if (depth == _path.Length)
        {
            Array.Resize(ref _path, depth * 2);
            Array.Resize(ref _pathStarts, depth * 2);
        }

        _pathStarts[depth] = labelStart;
        _path[depth++] = node;
    }

    private void AddToPath(int depth, int delta)
    {
        for (var level = 0; level < depth; level++)
        {
            _nodes[_path[level]].Count += delta;
        }
    }
}
