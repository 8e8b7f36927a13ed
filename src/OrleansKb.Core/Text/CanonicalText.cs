using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace OrleansKb.Text;

/// <summary>
/// The canonical token text of numbers, booleans and strings (docs/metta-text.md, "Canonical text"). The
/// printer writes these tokens and the encoder stores them, so both agree by construction.
/// </summary>
internal static class CanonicalText
{
    public static ReadOnlySpan<byte> True => "True"u8;

    public static ReadOnlySpan<byte> False => "False"u8;

    public static byte[] FormatInteger(long value)
    {
        Span<byte> buffer = stackalloc byte[20];
        value.TryFormat(buffer, out var written, default, CultureInfo.InvariantCulture);
        return buffer[..written].ToArray();
    }

    /// <summary>Parses an integer word (<c>[-+]?\d+</c>); false when it does not fit in 64 bits.</summary>
    public static bool TryParseInteger(ReadOnlySpan<byte> word, out long value)
    {
        var negative = word[0] == (byte)'-';
        var i = word[0] is (byte)'-' or (byte)'+' ? 1 : 0;
        ulong magnitude = 0;
        const ulong limit = (ulong)long.MaxValue + 1;
        for (; i < word.Length; i++)
        {
            var digit = (ulong)(word[i] - '0');
            if (magnitude > (limit - digit) / 10)
            {
                value = 0;
                return false;
            }

            magnitude = (magnitude * 10) + digit;
        }

        if (!negative && magnitude == limit)
        {
            value = 0;
            return false;
        }

        value = negative ? (long)(0 - magnitude) : (long)magnitude;
        return true;
    }

    /// <summary>Parses an integer word the reader or decoder has already checked.</summary>
    public static long ParseCheckedInteger(ReadOnlySpan<byte> word) =>
        TryParseInteger(word, out var value) ? value : throw new InvalidOperationException("The word was not checked as an integer.");

    /// <summary>Parses a double word the reader or decoder has already checked.</summary>
    public static double ParseCheckedDouble(ReadOnlySpan<byte> word) =>
        TryParseDouble(word, out var value) ? value : throw new InvalidOperationException("The word was not checked as a double.");

    /// <summary>Parses a double word; false when it is out of range (would be infinite).</summary>
    public static bool TryParseDouble(ReadOnlySpan<byte> word, out double value) =>
        double.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>
    /// The shortest digits that round-trip, written plainly with at least one fractional digit
    /// (<c>1.0</c>, <c>0.000001</c>, <c>25000000000.0</c>) when the decimal exponent is in
    /// (-7, 21), otherwise in exponent form (<c>1e-7</c>, <c>1.5e21</c>) — the rule of JavaScript's
    /// number printing, with <c>.0</c> added so a double never prints as an integer.
    /// </summary>
    public static byte[] FormatDouble(double value)
    {
        Span<byte> text = stackalloc byte[MaxDoubleLength];
        return text[..FormatDouble(value, text)].ToArray();
    }

    /// <summary>The longest canonical double: 17 digits, sign, point, <c>0.</c> and six zeros, or an exponent.</summary>
    public const int MaxDoubleLength = 32;

    /// <summary>Writes the canonical text of <paramref name="value"/> (see <see cref="FormatDouble(double)"/>); returns its length.</summary>
    public static int FormatDouble(double value, Span<byte> destination)
    {
        Span<byte> roundTrip = stackalloc byte[MaxDoubleLength];
        value.TryFormat(roundTrip, out var length, "R", CultureInfo.InvariantCulture);
        ReadOnlySpan<byte> text = roundTrip[..length];
        var at = 0;
        if (text[0] == (byte)'-')
        {
            destination[at++] = (byte)'-';
            text = text[1..];
        }

        var exponentAt = text.IndexOf((byte)'E');
        var exponent = exponentAt < 0 ? 0 : int.Parse(text[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

        var mantissa = exponentAt < 0 ? text : text[..exponentAt];

        // digits × 10^(pointPosition − digits.Length): the point sits after pointPosition digits.
        Span<byte> digits = stackalloc byte[mantissa.Length];
        var count = 0;
        var dot = mantissa.IndexOf((byte)'.');
        foreach (var c in mantissa)
        {
            if (c != (byte)'.')
            {
                digits[count++] = c;
            }
        }

        var pointPosition = (dot < 0 ? mantissa.Length : dot) + exponent;
        var lead = 0;
        while (lead < count && digits[lead] == (byte)'0')
        {
            lead++;
        }

        ReadOnlySpan<byte> significant = digits[lead..count].TrimEnd((byte)'0');
        pointPosition -= lead;
        if (significant.IsEmpty)
        {
            return at + Append(destination, at, "0.0"u8);
        }

        var scientificExponent = pointPosition - 1;
        if (scientificExponent is > -7 and < 21)
        {
            if (pointPosition <= 0)
            {
                at += Append(destination, at, "0."u8);
                destination.Slice(at, -pointPosition).Fill((byte)'0');
                at += -pointPosition;
                at += Append(destination, at, significant);
            }
            else if (pointPosition >= significant.Length)
            {
                at += Append(destination, at, significant);
                destination.Slice(at, pointPosition - significant.Length).Fill((byte)'0');
                at += pointPosition - significant.Length;
                at += Append(destination, at, ".0"u8);
            }
            else
            {
                at += Append(destination, at, significant[..pointPosition]);
                destination[at++] = (byte)'.';
                at += Append(destination, at, significant[pointPosition..]);
            }

            return at;
        }

        destination[at++] = significant[0];
        if (significant.Length > 1)
        {
            destination[at++] = (byte)'.';
            at += Append(destination, at, significant[1..]);
        }

        destination[at++] = (byte)'e';
        scientificExponent.TryFormat(destination[at..], out var written, default, CultureInfo.InvariantCulture);
        return at + written;

        static int Append(Span<byte> to, int at, ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(to[at..]);
            return bytes.Length;
        }
    }

    /// <summary>No sign of '+', no leading zero, not "-0": an integer word as read is canonical (if it fits in 64 bits).</summary>
    public static bool IsCanonicalIntegerWord(ReadOnlySpan<byte> word)
    {
        var digits = word[0] == (byte)'-' ? word[1..] : word;
        return word[0] != (byte)'+' && (digits[0] != (byte)'0' || word.Length == 1);
    }

    /// <summary>True when <paramref name="token"/> is the canonical text of a double (as the printer writes it).</summary>
    public static bool IsCanonicalDouble(ReadOnlySpan<byte> token)
    {
        Span<byte> canonical = stackalloc byte[MaxDoubleLength];
        return TryParseDouble(token, out var number) && canonical[..FormatDouble(number, canonical)].SequenceEqual(token);
    }

    /// <summary>True when <paramref name="token"/> is a string exactly as the printer writes it: quoted, escaped only where it must be.</summary>
    public static bool IsCanonicalStringToken(ReadOnlySpan<byte> token)
    {
        if (token.Length < 2 || token[0] != (byte)'"' || token[^1] != (byte)'"' || !Utf8.IsValid(token))
        {
            return false;
        }

        var inner = token[1..^1];
        if (IsPlainStringContent(inner))
        {
            return true;
        }

        var rented = ArrayPool<byte>.Shared.Rent(inner.Length);
        try
        {
            if (Unescape(inner, rented, rawBytes: false, out var written, out _) >= 0)
            {
                return false;
            }

            var value = rented.AsSpan(0, written);
            return QuotedLength(value) == token.Length && QuoteString(value).AsSpan().SequenceEqual(token);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Writes a symbol that is not a bare word as <c>#"…"</c>: <c>" \ \n \r \t</c> escaped as in a
    /// string, other control characters and each byte that is not part of valid UTF-8 as <c>\xHH</c>,
    /// everything else (all other UTF-8 text) as is.
    /// </summary>
    public static void WriteQuotedSymbol(ReadOnlySpan<byte> bytes, IBufferWriter<byte> output)
    {
        // Runs that need no escape are copied whole, so a large symbol asks the output for its size, not more.
        output.Write(WordClassifier.QuotedSymbolOpening);
        Span<byte> escape = stackalloc byte[4];
        var run = 0;
        for (var i = 0; i < bytes.Length;)
        {
            var b = bytes[i];
            int escaped;
            if (b < 0x80)
            {
                if (NeedsNoEscaping(b))
                {
                    i++;
                    continue;
                }

                escaped = WriteEscaped(b, escape);
            }
            else if (Rune.DecodeFromUtf8(bytes[i..], out _, out var length) == OperationStatus.Done)
            {
                i += length;
                continue;
            }
            else
            {
                escaped = WriteHexEscape(b, escape);
            }

            output.Write(bytes[run..i]);
            output.Write(escape[..escaped]);
            run = ++i;
        }

        output.Write(bytes[run..]);
        output.Write("\""u8);
    }

    /// <summary>True when a string's inner text (between the quotes) is already canonical: nothing in it needs escaping.</summary>
    public static bool IsPlainStringContent(ReadOnlySpan<byte> inner)
    {
        foreach (var b in inner)
        {
            if (!NeedsNoEscaping(b))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The string token: the value in quotes, with <c>" \ \n \r \t</c> and other control characters escaped.</summary>
    public static byte[] QuoteString(ReadOnlySpan<byte> valueUtf8)
    {
        var token = new byte[QuotedLength(valueUtf8)];
        WriteQuoted(valueUtf8, token);
        return token;
    }

    public static int QuotedLength(ReadOnlySpan<byte> valueUtf8)
    {
        var length = 2;
        foreach (var b in valueUtf8)
        {
            length += b switch
            {
                (byte)'"' or (byte)'\\' or (byte)'\n' or (byte)'\r' or (byte)'\t' => 2,
                < 0x20 or 0x7F => 4,
                _ => 1,
            };
        }

        return length;
    }

    public static void WriteQuoted(ReadOnlySpan<byte> valueUtf8, Span<byte> destination)
    {
        var at = 0;
        destination[at++] = (byte)'"';
        foreach (var b in valueUtf8)
        {
            at += WriteEscaped(b, destination[at..]);
        }

        destination[at] = (byte)'"';
    }

    /// <summary>One byte of quoted text as the printer writes it; returns the bytes written.</summary>
    private static int WriteEscaped(byte b, Span<byte> destination)
    {
        switch (b)
        {
            case (byte)'"' or (byte)'\\':
                destination[0] = (byte)'\\';
                destination[1] = b;
                return 2;
            case (byte)'\n':
                destination[0] = (byte)'\\';
                destination[1] = (byte)'n';
                return 2;
            case (byte)'\r':
                destination[0] = (byte)'\\';
                destination[1] = (byte)'r';
                return 2;
            case (byte)'\t':
                destination[0] = (byte)'\\';
                destination[1] = (byte)'t';
                return 2;
            case < 0x20 or 0x7F:
                return WriteHexEscape(b, destination);
            default:
                destination[0] = b;
                return 1;
        }
    }

    private static int WriteHexEscape(byte b, Span<byte> destination)
    {
        destination[0] = (byte)'\\';
        destination[1] = (byte)'x';
        destination[2] = HexDigit(b >> 4);
        destination[3] = HexDigit(b & 0xF);
        return 4;
    }

    /// <summary>True when a string's raw text needs no escaping, so the token as read is already canonical.</summary>
    public static bool NeedsNoEscaping(byte b) => b >= 0x20 && b != 0x7F && b != (byte)'"' && b != (byte)'\\';

    /// <summary>
    /// Resolves the escapes of a string's inner text (between the quotes) into
    /// <paramref name="destination"/> (at least as long as the input). Returns -1 on success, else the
    /// offset of the offending backslash, with <paramref name="error"/> saying what is wrong. With
    /// <paramref name="rawBytes"/> (a quoted symbol's bytes), <c>\xHH</c> may be any byte.
    /// </summary>
    public static int Unescape(ReadOnlySpan<byte> inner, Span<byte> destination, bool rawBytes, out int written, out string? error)
    {
        written = 0;
        error = null;
        for (var i = 0; i < inner.Length; i++)
        {
            var b = inner[i];
            if (b != (byte)'\\')
            {
                destination[written++] = b;
                continue;
            }

            var start = i;
            if (++i >= inner.Length)
            {
                error = "unfinished escape sequence at the end of the string";
                return start;
            }

            switch (inner[i])
            {
                case (byte)'"' or (byte)'\'' or (byte)'\\':
                    destination[written++] = inner[i];
                    break;
                case (byte)'n':
                    destination[written++] = (byte)'\n';
                    break;
                case (byte)'r':
                    destination[written++] = (byte)'\r';
                    break;
                case (byte)'t':
                    destination[written++] = (byte)'\t';
                    break;
                case (byte)'x':
                    if (inner.Length - i - 1 < 2 || !TryHex(inner.Slice(i + 1, 2), out var code))
                    {
                        error = "invalid escape: \\x needs two hex digits";
                        return start;
                    }

                    if (code > 0x7F && !rawBytes)
                    {
                        error = $"invalid escape: \\x{code:X2} is above \\x7F (use \\u{{...}} for other characters)";
                        return start;
                    }

                    destination[written++] = (byte)code;
                    i += 2;
                    break;
                case (byte)'u':
                    var close = i + 1 < inner.Length && inner[i + 1] == (byte)'{' ? inner[(i + 2)..].IndexOf((byte)'}') : -1;
                    if (close is < 1 or > 8 || !TryHex(inner.Slice(i + 2, close), out var scalar))
                    {
                        error = "invalid escape: \\u needs the form \\u{1 to 8 hex digits}";
                        return start;
                    }

                    if (!Rune.IsValid(scalar))
                    {
                        error = $"invalid escape: \\u{{{scalar:X}}} is not a Unicode character";
                        return start;
                    }

                    written += new Rune(scalar).EncodeToUtf8(destination[written..]);
                    i += close + 2;
                    break;
                default:
                    error = inner[i] < 0x80
                        ? $"invalid escape sequence '\\{(char)inner[i]}'"
                        : "invalid escape sequence: '\\' followed by a non-ASCII character";
                    return start;
            }
        }

        return -1;
    }

    private static bool TryHex(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        if (digits.IsEmpty)
        {
            return false;
        }

        foreach (var d in digits)
        {
            int nibble = d switch
            {
                >= (byte)'0' and <= (byte)'9' => d - '0',
                >= (byte)'a' and <= (byte)'f' => d - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => d - 'A' + 10,
                _ => -1,
            };
            if (nibble < 0)
            {
                return false;
            }

            value = (value << 4) | nibble;
        }

        return true;
    }

    private static byte HexDigit(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'A' + nibble - 10);
}
