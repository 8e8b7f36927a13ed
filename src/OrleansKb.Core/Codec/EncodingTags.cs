namespace OrleansKb.Codec;

/// <summary>
/// Tag bytes of the atom encoding (docs/encoding.md). MORK's four tags, plus three extensions in
/// the <c>01xxxxxx</c> range MORK reserves, each followed by a LEB128 varint.
/// </summary>
internal static class EncodingTags
{
    /// <summary><c>00aaaaaa</c>: an expression of a ≤ 63 children follows.</summary>
    public const int MaxShortArity = 63;

    /// <summary><c>10iiiiii</c>: reference to the i-th variable introduced so far (i ≤ 63).</summary>
    public const byte VarRefBase = 0x80;

    public const int MaxShortVarRef = 63;

    /// <summary><c>11000000</c>: a variable's first occurrence.</summary>
    public const byte NewVar = 0xC0;

    /// <summary><c>11ssssss</c> with 1 ≤ s ≤ 63: s bytes of token text follow.</summary>
    public const byte SymbolBase = 0xC0;

    public const int MaxShortSymbol = 63;

    /// <summary><c>0x40</c> varint(a ≥ 64): an expression of a children.</summary>
    public const byte LongArity = 0x40;

    /// <summary><c>0x41</c> varint(s ≥ 64), then s bytes of token text.</summary>
    public const byte LongSymbol = 0x41;

    /// <summary><c>0x42</c> varint(i ≥ 64): reference to the i-th variable.</summary>
    public const byte LongVarRef = 0x42;

    /// <summary>A varint never takes more than 5 bytes: lengths and counts fit in an <see cref="int"/>.</summary>
    public const int MaxVarintBytes = 5;

    public static int VarintLength(int value)
    {
        var length = 1;
        for (var v = (uint)value; v >= 0x80; v >>= 7)
        {
            length++;
        }

        return length;
    }

    public static int WriteVarint(Span<byte> destination, int value)
    {
        var at = 0;
        var v = (uint)value;
        while (v >= 0x80)
        {
            destination[at++] = (byte)(v | 0x80);
            v >>= 7;
        }

        destination[at++] = (byte)v;
        return at;
    }
}
