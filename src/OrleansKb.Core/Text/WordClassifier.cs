using System.Buffers;
using System.Text;

namespace OrleansKb.Text;

/// <summary>
/// Classifies words as hyperon-experimental does: <c>[-+]?\d+</c> is an integer,
/// <c>[-+]?\d+\.\d+</c> and <c>[-+]?\d+(\.\d+)?[eE][-+]?\d+</c> are doubles (ASCII digits),
/// <c>True</c>/<c>False</c> are booleans, anything else is a symbol.
/// </summary>
internal static class WordClassifier
{
    /// <summary>The kind of a word already known to be a word (not a string or variable).</summary>
    public static WordKind Classify(ReadOnlySpan<byte> word)
    {
        var first = word[0];
        if (IsDigit(first) || ((first == (byte)'-' || first == (byte)'+') && word.Length > 1 && IsDigit(word[1])))
        {
            return NumberKind(word);
        }

        if ((first == (byte)'T' && word.SequenceEqual(CanonicalText.True)) ||
            (first == (byte)'F' && word.SequenceEqual(CanonicalText.False)))
        {
            return WordKind.Boolean;
        }

        return WordKind.Symbol;
    }

    /// <summary>
    /// True when <paramref name="utf8"/> is one complete word: non-empty valid UTF-8 with no
    /// whitespace, parentheses or <c>;</c>.
    /// </summary>
    public static bool IsWord(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return false;
        }

        for (var i = 0; i < utf8.Length;)
        {
            switch (ByteClass.Of(utf8[i]))
            {
                case ByteClass.Word:
                    i++;
                    break;
                case ByteClass.NonAscii:
                    if (Rune.DecodeFromUtf8(utf8[i..], out var rune, out var length) != OperationStatus.Done ||
                        Utf8Text.IsWhiteSpace(rune.Value))
                    {
                        return false;
                    }

                    i += length;
                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    /// <summary>
    /// True when <paramref name="utf8"/> is a word that reads as a symbol, number or boolean: not a
    /// string or variable, and not starting with U+FEFF, which the reader skips where a token could start.
    /// </summary>
    public static bool IsBareWord(ReadOnlySpan<byte> utf8) =>
        IsWord(utf8) && utf8[0] != (byte)'"' && utf8[0] != (byte)'$' && !utf8.StartsWith(ByteOrderMark);

    /// <summary>True when <paramref name="utf8"/> reads back as a plain symbol.</summary>
    public static bool IsSymbol(ReadOnlySpan<byte> utf8) => IsBareWord(utf8) && Classify(utf8) == WordKind.Symbol;

    /// <summary>
    /// The atom an encoded token stands for (docs/encoding.md, "Tokens"): the string, number or boolean
    /// whose canonical text it is (null for a string), else a symbol of exactly those bytes — any bytes,
    /// as MORK's symbols are. Every token is one atom, and the same bytes are always the same atom.
    /// </summary>
    public static WordKind? ClassifyToken(ReadOnlySpan<byte> token)
    {
        if (token.IsEmpty)
        {
            return WordKind.Symbol;
        }

        if (token[0] == (byte)'"')
        {
            return CanonicalText.IsCanonicalStringToken(token) ? null : WordKind.Symbol;
        }

        var kind = Classify(token);
        var canonical = kind switch
        {
            WordKind.Integer => CanonicalText.IsCanonicalIntegerWord(token) && CanonicalText.TryParseInteger(token, out _),
            WordKind.Double => CanonicalText.IsCanonicalDouble(token),
            _ => true,
        };
        return canonical ? kind : WordKind.Symbol;
    }

    /// <summary>What a token that is not a symbol is, for a message: "a string", "the integer 7".</summary>
    public static string Describe(WordKind? kind, ReadOnlySpan<byte> token) =>
        kind is null ? "a string" : $"the {kind.Value.ToString().ToLowerInvariant()} {Encoding.UTF8.GetString(token)}";

    /// <summary>
    /// True when a symbol of these bytes prints as a bare word: a word that reads as a symbol and does
    /// not start with <c>#"</c>, which opens a quoted symbol. Any other symbol prints quoted.
    /// </summary>
    public static bool IsBareSymbol(ReadOnlySpan<byte> bytes) => IsSymbol(bytes) && !bytes.StartsWith(QuotedSymbolOpening);

    /// <summary>How a quoted symbol starts: <c>#"</c>.</summary>
    public static ReadOnlySpan<byte> QuotedSymbolOpening => "#\""u8;

    /// <summary>U+FEFF in UTF-8: a byte-order mark at the start of a file, and skipped wherever a token could start.</summary>
    public static ReadOnlySpan<byte> ByteOrderMark => "\uFEFF"u8;

    private static WordKind NumberKind(ReadOnlySpan<byte> word)
    {
        var i = word[0] is (byte)'-' or (byte)'+' ? 1 : 0;
        i = SkipDigits(word, i);
        if (i == word.Length)
        {
            return WordKind.Integer;
        }

        var isDouble = false;
        if (word[i] == (byte)'.')
        {
            var afterDot = SkipDigits(word, i + 1);
            if (afterDot == i + 1)
            {
                return WordKind.Symbol;
            }

            i = afterDot;
            isDouble = true;
        }

        if (i < word.Length && (word[i] | 0x20) == (byte)'e')
        {
            i++;
            if (i < word.Length && word[i] is (byte)'-' or (byte)'+')
            {
                i++;
            }

            var afterExponent = SkipDigits(word, i);
            if (afterExponent == i)
            {
                return WordKind.Symbol;
            }

            i = afterExponent;
            isDouble = true;
        }

        return isDouble && i == word.Length ? WordKind.Double : WordKind.Symbol;
    }

    private static int SkipDigits(ReadOnlySpan<byte> word, int i)
    {
        while (i < word.Length && IsDigit(word[i]))
        {
            i++;
        }

        return i;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;
}
