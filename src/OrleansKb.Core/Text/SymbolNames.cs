using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace OrleansKb.Text;

/// <summary>
/// A symbol's name is a string of bytes, as in MORK, where JSON and CSV imports make symbols of any
/// bytes. As .NET text, each byte that is not part of valid UTF-8 stands as the lone surrogate
/// U+DC80–U+DCFF (0xDC00 plus the byte; Python's "surrogateescape"), so every byte string has a name
/// and every name gives its bytes back (docs/metta-text.md, "Symbols that are not words").
/// </summary>
internal static class SymbolNames
{
    private const int EscapeBase = 0xDC00;

    /// <summary>The name of the symbol whose bytes are <paramref name="bytes"/>.</summary>
    public static string ToText(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes))
        {
            return Encoding.UTF8.GetString(bytes);
        }

        var text = new StringBuilder(bytes.Length);
        for (var i = 0; i < bytes.Length;)
        {
            if (Rune.DecodeFromUtf8(bytes[i..], out var rune, out var length) == OperationStatus.Done)
            {
                text.Append(rune.ToString());
                i += length;
            }
            else
            {
                text.Append((char)(EscapeBase + bytes[i++]));
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// The bytes of the symbol named <paramref name="name"/>; null when it holds a lone surrogate that
    /// stands for no byte, or escapes of bytes that are valid UTF-8 together (U+DCC3 U+DCA9 for é):
    /// each byte string has one name.
    /// </summary>
    public static byte[]? ToBytes(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Utf8Text.IsValidScalarText(name))
        {
            return Encoding.UTF8.GetBytes(name);
        }

        var bytes = new List<byte>(name.Length * 2);
        Span<byte> utf8 = stackalloc byte[4];
        var rest = name.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out var rune, out var consumed) == OperationStatus.Done)
            {
                bytes.AddRange(utf8[..rune.EncodeToUtf8(utf8)]);
            }
            else if (rest[0] is >= (char)(EscapeBase + 0x80) and <= (char)(EscapeBase + 0xFF))
            {
                bytes.Add((byte)(rest[0] - EscapeBase));
                consumed = 1;
            }
            else
            {
                return null;
            }

            rest = rest[consumed..];
        }

        byte[] result = [.. bytes];
        return ToText(result) == name ? result : null;
    }
}
