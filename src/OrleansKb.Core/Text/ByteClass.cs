namespace OrleansKb.Text;

/// <summary>How the reader treats each byte value outside strings and comments.</summary>
internal static class ByteClass
{
    /// <summary>Part of a word.</summary>
    public const byte Word = 0;

    /// <summary>ASCII whitespace: ends a word.</summary>
    public const byte Space = 1;

    /// <summary><c>(</c>, <c>)</c> or <c>;</c>: ends a word.</summary>
    public const byte Delimiter = 2;

    /// <summary>A byte of a multi-byte UTF-8 sequence: decode it to decide (Unicode whitespace ends a word).</summary>
    public const byte NonAscii = 3;

    private static readonly byte[] Table = Build();

    public static byte Of(byte b) => Table[b];

    private static byte[] Build()
    {
        var table = new byte[256];
        for (var b = 0x80; b < 0x100; b++)
        {
            table[b] = NonAscii;
        }

        foreach (var b in "\t\n\v\f\r "u8)
        {
            table[b] = Space;
        }

        foreach (var b in "();"u8)
        {
            table[b] = Delimiter;
        }

        return table;
    }
}
