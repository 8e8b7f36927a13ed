using OrleansKb.Codec;

namespace OrleansKb.Storage;

public sealed partial class ByteTrie
{
    /// <summary>Called for each place one complete encoded item leads to, with the item's bytes.</summary>
    internal delegate void ItemVisitor(TriePosition end, ReadOnlySpan<byte> item);

    /// <summary>The position before the first byte of every key.</summary>
    internal static TriePosition Start => new(RootNode, 0, 0);

    /// <summary>Follows <paramref name="bytes"/> from <paramref name="position"/>; false if no key continues that way.</summary>
    internal bool TryDescend(ref TriePosition position, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var run = RestOfRun(position);
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

            if (position.Leaf != 0 || !TryEnterChild(ref position, bytes[0]))
            {
                return false;
            }

            bytes = bytes[1..];
        }

        return true;
    }

    /// <summary>True if a key ends exactly at <paramref name="position"/>.</summary>
    internal bool IsKeyEnd(TriePosition position) => position.Leaf != 0
        ? position.Offset == LeafBytes(position.Leaf).Length
        : position.Offset == _nodes[position.Node].LabelLength && _nodes[position.Node].Terminal;

    /// <summary>How many keys pass through <paramref name="position"/>: the cheap selectivity count a matcher orders its joins by.</summary>
    internal long CountBelow(TriePosition position) => position.Leaf != 0 ? 1 : _nodes[position.Node].Count;

    /// <summary>
    /// Visits, in byte order, every position reached from <paramref name="from"/> by reading exactly
    /// one complete encoded item (an atom, sub-expression, token or variable) — what a pattern variable
    /// matches. Walks only the keys that continue from <paramref name="from"/>, with no recursion.
    /// </summary>
    internal void SkipItem(TriePosition from, ItemVisitor visit) => SkipItem(from, new ItemReader(1), [], visit);

    /// <summary>
    /// Visits the positions reached from <paramref name="position"/> by reading one stored <em>variable</em>
    /// (NewVar, VarRef or the long VarRef), with its bytes: where a stored atom's variable meets a
    /// pattern's constant in two-way matching. Looks only at the bytes that can start a variable.
    /// </summary>
    internal void VariableItems(TriePosition position, ItemVisitor visit)
    {
        var run = RestOfRun(position);
        if (!run.IsEmpty)
        {
            VisitVariable(run[0], position with { Offset = position.Offset + 1 }, visit);
            return;
        }

        if (position.Leaf != 0)
        {
            return;
        }

        ref var node = ref _nodes[position.Node];
        for (var slot = node.ChildStart; slot < node.ChildStart + node.ChildCount; slot++)
        {
            var b = _childKeys[slot];
            if (b is EncodingTags.LongVarRef or (>= EncodingTags.VarRefBase and <= EncodingTags.NewVar))
            {
                var child = _childRefs[slot];
                VisitVariable(b, child > 0 ? new TriePosition(child, 0, 0) : new TriePosition(0, child, 0), visit);
            }
        }
    }

    private void VisitVariable(byte tag, TriePosition after, ItemVisitor visit)
    {
        if (tag is >= EncodingTags.VarRefBase and <= EncodingTags.NewVar)
        {
            visit(after, [tag]);
        }
        else if (tag == EncodingTags.LongVarRef)
        {
            var reader = new ItemReader(1);
            reader.Read(tag);
            SkipItem(after, reader, [tag], visit);
        }
    }

    private void SkipItem(TriePosition from, ItemReader start, ReadOnlySpan<byte> read, ItemVisitor visit)
    {
        var item = new byte[Math.Max(64, read.Length * 2)];
        read.CopyTo(item);
        // Each pending branch carries its edge byte: siblings share the buffer, and each writes its
        // own edge at the same place, so a branch rewrites its edge when it resumes.
        var pending = new Stack<(TriePosition Position, int ItemLength, ItemReader Reader, int Edge, bool Complete)>();
        pending.Push((from, read.Length, start, -1, false));
        while (pending.TryPop(out var frame))
        {
            var (position, length, reader, edge, complete) = frame;
            if (edge >= 0)
            {
                item[length - 1] = (byte)edge;
            }

            foreach (var b in complete ? [] : RestOfRun(position))
            {
                Append(ref item, ref length, b);
                position = position with { Offset = position.Offset + 1 };
                if (reader.Read(b))
                {
                    complete = true;
                    break;
                }
            }

            if (complete)
            {
                visit(position, item.AsSpan(0, length));
                continue;
            }

            if (position.Leaf != 0)
            {
                continue;
            }

            // A branch: continue along each child, pushed in reverse so they are visited in byte order.
            ref var node = ref _nodes[position.Node];
            for (var slot = node.ChildStart + node.ChildCount - 1; slot >= node.ChildStart; slot--)
            {
                var childReader = reader;
                var b = _childKeys[slot];
                var child = _childRefs[slot];
                var next = child > 0 ? new TriePosition(child, 0, 0) : new TriePosition(0, child, 0);
                var completes = childReader.Read(b);
                Append(ref item, ref length, b);
                pending.Push((next, length, childReader, b, completes));
                length--;
            }
        }

        static void Append(ref byte[] buffer, ref int length, byte b)
        {
            if (length == buffer.Length)
            {
                Array.Resize(ref buffer, length * 2);
            }

            buffer[length++] = b;
        }
    }

    /// <summary>The bytes left in the label or leaf <paramref name="position"/> is in.</summary>
    private ReadOnlySpan<byte> RestOfRun(TriePosition position) =>
        (position.Leaf != 0 ? LeafBytes(position.Leaf) : LabelOf(position.Node))[position.Offset..];

    private bool TryEnterChild(ref TriePosition position, byte b)
    {
        var slot = FindChild(position.Node, b, out _);
        if (slot < 0)
        {
            return false;
        }

        var child = _childRefs[slot];
        position = child > 0 ? new TriePosition(child, 0, 0) : new TriePosition(0, child, 0);
        return true;
    }

    /// <summary>Reads encoded bytes one at a time and says when the items owed are complete (docs/encoding.md).</summary>
    private struct ItemReader(long owed)
    {
        private long _owed = owed;
        private int _tokenLeft;
        private byte _varintTag;
        private int _varint;
        private int _shift;

        /// <summary>Takes one byte; true when it completes the item(s).</summary>
        public bool Read(byte b)
        {
            if (_tokenLeft > 0)
            {
                _tokenLeft--;
            }
            else if (_varintTag != 0)
            {
                _varint |= (b & 0x7F) << _shift;
                _shift += 7;
                if (b < 0x80)
                {
                    switch (_varintTag)
                    {
                        case EncodingTags.LongArity:
                            _owed += _varint;
                            break;
                        case EncodingTags.LongSymbol:
                            _tokenLeft = _varint;
                            break;
                        default:
                            break;
                    }

                    _varintTag = 0;
                }
            }
            else
            {
                _owed--;
                switch (b)
                {
                    case <= EncodingTags.MaxShortArity:
                        _owed += b;
                        break;
                    case EncodingTags.LongArity or EncodingTags.LongSymbol or EncodingTags.LongVarRef:
                        _varintTag = b;
                        _varint = 0;
                        _shift = 0;
                        break;
                    case > EncodingTags.SymbolBase:
                        _tokenLeft = b & 0x3F;
                        break;
                    default:
                        break;
                }
            }

            return _owed == 0 && _tokenLeft == 0 && _varintTag == 0;
        }
    }
}
