namespace OrleansKb.Codec;

/// <summary>
/// Reading encoded atoms already known to be valid (encoded by us, or checked by
/// <see cref="AtomDecoder"/>): item lengths and tokens without validation or objects. Skipping one
/// item needs no stack: in prefix order, count the items still owed.
/// </summary>
internal static class EncodedItem
{
    /// <summary>The length of the one item (atom, sub-expression, variable or token) at the start of <paramref name="data"/>.</summary>
    public static int Length(ReadOnlySpan<byte> data) => Walk(data, stopAtVariable: false, out _);

    /// <summary>True if the item at the start of <paramref name="data"/> contains a variable.</summary>
    public static bool ContainsVariable(ReadOnlySpan<byte> data)
    {
        Walk(data, stopAtVariable: true, out var hasVariable);
        return hasVariable;
    }

    /// <summary>
    /// The length of the bytes of the atom at the start of <paramref name="data"/> before its first
    /// variable (all of it when it has none): every atom a pattern can match by its constants alone
    /// begins with them. Where each item of that prefix begins goes into <paramref name="itemStarts"/>
    /// (the atom itself at 0): a stored variable there stands for whatever the pattern has.
    /// </summary>
    public static int ConstantPrefix(ReadOnlySpan<byte> data, List<int> itemStarts)
    {
        var end = Walk(data, stopAtVariable: true, out var hasVariable, itemStarts);
        if (!hasVariable)
        {
            return end;
        }

        // Stopped just past the variable's tag: the prefix ends where the variable begins.
        itemStarts.RemoveAt(itemStarts.Count - 1);
        return end - 1;
    }

    /// <summary>Walks one item, counting the items still owed; returns its length, or where it stopped at a variable.</summary>
    private static int Walk(ReadOnlySpan<byte> data, bool stopAtVariable, out bool hasVariable, List<int>? itemStarts = null)
    {
        hasVariable = false;
        var pos = 0;
        long owed = 1;
        while (owed > 0)
        {
            owed--;
            itemStarts?.Add(pos);
            var tag = data[pos++];
            switch (tag)
            {
                case <= EncodingTags.MaxShortArity:
                    owed += tag;
                    break;
                case EncodingTags.LongArity:
                    owed += ReadVarint(data, ref pos);
                    break;
                case EncodingTags.LongSymbol:
                    var length = ReadVarint(data, ref pos);
                    pos += length;
                    break;
                case > EncodingTags.SymbolBase:
                    pos += tag & 0x3F;
                    break;
                default:
                    // NewVar, VarRef or the long VarRef.
                    hasVariable = true;
                    if (stopAtVariable)
                    {
                        return pos;
                    }

                    if (tag == EncodingTags.LongVarRef)
                    {
                        ReadVarint(data, ref pos);
                    }

                    break;
            }
        }

        return pos;
    }

    /// <summary>The token at <paramref name="pos"/> if the item there is a token; advances past the item either way.</summary>
    public static bool TryReadToken(ReadOnlySpan<byte> data, ref int pos, out ReadOnlySpan<byte> token)
    {
        var tag = data[pos];
        if (tag > EncodingTags.SymbolBase || tag == EncodingTags.LongSymbol)
        {
            var at = pos + 1;
            var length = tag == EncodingTags.LongSymbol ? ReadVarint(data, ref at) : tag & 0x3F;
            token = data.Slice(at, length);
            pos = at + length;
            return true;
        }

        token = default;
        pos += Length(data[pos..]);
        return false;
    }

    /// <summary>The arity if the item at <paramref name="pos"/> is an expression (advancing past its header), else -1.</summary>
    public static int ReadArity(ReadOnlySpan<byte> data, ref int pos)
    {
        var tag = data[pos];
        if (tag <= EncodingTags.MaxShortArity)
        {
            pos++;
            return tag;
        }

        if (tag == EncodingTags.LongArity)
        {
            pos++;
            return ReadVarint(data, ref pos);
        }

        return -1;
    }

    public static int ReadVarint(ReadOnlySpan<byte> data, ref int pos)
    {
        var value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[pos++];
            value |= (b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
