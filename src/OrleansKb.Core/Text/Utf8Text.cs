using System.Text;

namespace OrleansKb.Text;

/// <summary>Small UTF-8 facts the reader, the atom model and the codec share.</summary>
internal static class Utf8Text
{
    /// <summary>Unicode's White_Space property, the set Rust's <c>char::is_whitespace</c> (and so hyperon) uses.</summary>
    public static bool IsWhiteSpace(int scalar) => scalar is (>= 0x09 and <= 0x0D) or 0x20 or 0x85 or 0xA0 or 0x1680
        or (>= 0x2000 and <= 0x200A) or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000;

    /// <summary>True when <paramref name="text"/> has no unpaired surrogate, so it converts to UTF-8 and back unchanged.</summary>
    public static bool IsValidScalarText(string text)
    {
        var span = text.AsSpan();
        while (!span.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(span, out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            span = span[consumed..];
        }

        return true;
    }

    /// <summary>The number of characters (Unicode scalars) in UTF-8 text: the bytes that do not continue a sequence.</summary>
    public static long CountScalars(ReadOnlySpan<byte> utf8)
    {
        long count = 0;
        foreach (var b in utf8)
        {
            if ((b & 0xC0) != 0x80)
            {
                count++;
            }
        }

        return count;
    }
}
