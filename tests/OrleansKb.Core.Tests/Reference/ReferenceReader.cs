using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using OrleansKb.Atoms;

namespace OrleansKb.Tests.Reference;

/// <summary>
/// A deliberately simple, independent MeTTa reader used as a test oracle. Clarity over speed.
/// <list type="bullet">
/// <item><c>;</c> starts a comment that runs to the next <c>\n</c> (also inside expressions).</item>
/// <item>A word runs to Unicode White_Space, <c>(</c>, <c>)</c> or <c>;</c>; a <c>"</c> inside a word is part of it.</item>
/// <item>A word starting with <c>$</c> is a variable named by the rest of the word (an empty name is an error).</item>
/// <item><c>"..."</c> is a string with escapes <c>\" \' \\ \n \r \t \xHH</c> (at most 0x7F) and
/// <c>\u{1-8 hex digits}</c> (a Unicode scalar value); raw newlines are allowed inside.</item>
/// <item>Words matching <c>[-+]?[0-9]+</c> are 64-bit integers (overflow is an error);
/// <c>[-+]?[0-9]+\.[0-9]+</c> and <c>[-+]?[0-9]+(\.[0-9]+)?[eE][-+]?[0-9]+</c> are doubles
/// (an infinite result is an error); <c>True</c>/<c>False</c> are booleans; any other word is a symbol.</item>
/// <item>A stray <c>)</c>, an unclosed <c>(</c> or string, a bad escape, or an unpaired UTF-16 surrogate is an error.</item>
/// <item>U+FEFF is skipped where a token could start (so a byte-order mark is); inside a word it is part of the word.</item>
/// </list>
/// Lines are counted by <c>\n</c>. The error line is where the problem is. For an unclosed <c>(</c> it is the
/// line of the innermost unclosed <c>(</c>; for an unclosed string, the line of its opening quote.
/// </summary>
internal static partial class ReferenceReader
{
    /// <summary>Reads every top-level atom in <paramref name="text"/>, or throws <see cref="ReferenceSyntaxException"/>.</summary>
    public static List<Atom> ReadAll(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        CheckSurrogates(text);
        return new Parser(text).ReadTopLevel();
    }

    // Regexes use [0-9], not \d: .NET's \d (like Rust regex's) matches every Unicode decimal digit.
    [GeneratedRegex(@"\A[-+]?[0-9]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerWord();

    [GeneratedRegex(@"\A[-+]?[0-9]+\.[0-9]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex DecimalWord();

    [GeneratedRegex(@"\A[-+]?[0-9]+(\.[0-9]+)?[eE][-+]?[0-9]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex ExponentWord();

    /// <summary>The Unicode White_Space property (what Rust's <c>char::is_whitespace</c> tests). All are in the BMP.</summary>
    private static bool IsWhiteSpace(char c) => c switch
    {
        >= '\u0009' and <= '\u000D' => true,
        '\u0020' or '\u0085' or '\u00A0' or '\u1680' => true,
        >= '\u2000' and <= '\u200A' => true,
        '\u2028' or '\u2029' or '\u202F' or '\u205F' or '\u3000' => true,
        _ => false,
    };

    private static bool EndsWord(char c) => IsWhiteSpace(c) || c == '(' || c == ')' || c == ';';

    private static void CheckSurrogates(string text)
    {
        var line = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
            }
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                throw new ReferenceSyntaxException($"unpaired UTF-16 surrogate U+{(int)c:X4}", line);
            }
        }
    }

    private sealed class Parser(string text)
    {
        private readonly string _text = text;
        private int _pos;
        private int _line = 1;

        private bool AtEnd => _pos >= _text.Length;

        public List<Atom> ReadTopLevel()
        {
            var atoms = new List<Atom>();
            while (true)
            {
                SkipWhiteSpaceAndComments();
                if (AtEnd)
                {
                    return atoms;
                }

                if (_text[_pos] == ')')
                {
                    throw new ReferenceSyntaxException("unexpected ')'", _line);
                }

                atoms.Add(ReadAtom());
            }
        }

        private void SkipWhiteSpaceAndComments()
        {
            while (!AtEnd)
            {
                var c = _text[_pos];
                if (c == '\n')
                {
                    _line++;
                    _pos++;
                }
                else if (IsWhiteSpace(c) || c == '\uFEFF')
                {
                    _pos++;
                }
                else if (c == ';')
                {
                    while (!AtEnd && _text[_pos] != '\n')
                    {
                        _pos++;
                    }
                }
                else
                {
                    return;
                }
            }
        }

        /// <summary>Reads one atom starting at a character that is not white space, <c>;</c> or <c>)</c>.</summary>
        private Atom ReadAtom() => _text[_pos] switch
        {
            '(' => ReadExpression(),
            '"' => ReadString(),
            _ => ReadWord(),
        };

        private ExpressionAtom ReadExpression()
        {
            var openLine = _line;
            _pos++; // '('
            var children = new List<Atom>();
            while (true)
            {
                SkipWhiteSpaceAndComments();
                if (AtEnd)
                {
                    throw new ReferenceSyntaxException("unclosed '('", openLine);
                }

                if (_text[_pos] == ')')
                {
                    _pos++;
                    return Atom.Expression(children);
                }

                children.Add(ReadAtom());
            }
        }

        private Atom ReadWord()
        {
            var line = _line;
            var start = _pos;
            while (!AtEnd && !EndsWord(_text[_pos]))
            {
                _pos++;
            }

            var word = _text[start.._pos];
            if (word[0] == '$')
            {
                var name = word[1..];
                if (name.Length == 0)
                {
                    throw new ReferenceSyntaxException("'$' without a variable name", line);
                }

                return Atom.Variable(name);
            }

            if (IntegerWord().IsMatch(word))
            {
                if (!long.TryParse(word, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
                {
                    throw new ReferenceSyntaxException($"integer '{word}' does not fit in 64 bits", line);
                }

                return Atom.Integer(value);
            }

            if (DecimalWord().IsMatch(word) || ExponentWord().IsMatch(word))
            {
                var value = double.Parse(
                    word,
                    NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                    CultureInfo.InvariantCulture);
                if (!double.IsFinite(value))
                {
                    throw new ReferenceSyntaxException($"double '{word}' is out of range", line);
                }

                return Atom.Double(value);
            }

            return word switch
            {
                "True" => Atom.Boolean(true),
                "False" => Atom.Boolean(false),
                _ => Atom.Symbol(word),
            };
        }

        private StringAtom ReadString()
        {
            var openLine = _line;
            _pos++; // opening '"'
            var value = new StringBuilder();
            while (true)
            {
                if (AtEnd)
                {
                    throw new ReferenceSyntaxException("unclosed string", openLine);
                }

                var c = _text[_pos++];
                if (c == '"')
                {
                    return Atom.String(value.ToString());
                }

                if (c == '\\')
                {
                    ReadEscape(value);
                }
                else
                {
                    if (c == '\n')
                    {
                        _line++;
                    }

                    value.Append(c);
                }
            }
        }

        /// <summary>Reads the escape after a backslash (already consumed) and appends its value.</summary>
        private void ReadEscape(StringBuilder value)
        {
            var line = _line;
            if (AtEnd)
            {
                throw new ReferenceSyntaxException("unclosed string (input ends after '\\')", line);
            }

            var kind = _text[_pos++];
            switch (kind)
            {
                case '"' or '\'' or '\\':
                    value.Append(kind);
                    break;
                case 'n':
                    value.Append('\n');
                    break;
                case 'r':
                    value.Append('\r');
                    break;
                case 't':
                    value.Append('\t');
                    break;
                case 'x':
                    var high = HexDigit(NextOrNul());
                    var low = HexDigit(NextOrNul());
                    if (high < 0 || low < 0)
                    {
                        throw new ReferenceSyntaxException("'\\x' must be followed by two hex digits", line);
                    }

                    var code = (high * 16) + low;
                    if (code > 0x7F)
                    {
                        throw new ReferenceSyntaxException($"'\\x{code:X2}' is above 0x7F", line);
                    }

                    value.Append((char)code);
                    break;
                case 'u':
                    value.Append(ReadUnicodeEscape(line));
                    break;
                default:
                    throw new ReferenceSyntaxException($"invalid escape '\\{kind}'", line);
            }
        }

        /// <summary>Reads <c>{1-8 hex digits}</c> after <c>\u</c> and returns the scalar value as UTF-16.</summary>
        private string ReadUnicodeEscape(int line)
        {
            if (NextOrNul() != '{')
            {
                throw new ReferenceSyntaxException("'\\u' must be followed by '{'", line);
            }

            long code = 0;
            var digits = 0;
            while (true)
            {
                var c = NextOrNul();
                if (c == '}')
                {
                    break;
                }

                var digit = HexDigit(c);
                if (digit < 0)
                {
                    throw new ReferenceSyntaxException("'\\u{' must hold hex digits and end with '}'", line);
                }

                digits++;
                if (digits > 8)
                {
                    throw new ReferenceSyntaxException("'\\u{...}' has more than 8 hex digits", line);
                }

                code = (code * 16) + digit;
            }

            if (digits == 0)
            {
                throw new ReferenceSyntaxException("'\\u{}' has no hex digits", line);
            }

            if (code > 0x10FFFF || code is >= 0xD800 and <= 0xDFFF)
            {
                throw new ReferenceSyntaxException($"'\\u{{{code:X}}}' is not a Unicode scalar value", line);
            }

            return char.ConvertFromUtf32((int)code);
        }

        /// <summary>The next character, consumed; or NUL at end of input (NUL is never valid where this is used).</summary>
        private char NextOrNul() => AtEnd ? '\0' : _text[_pos++];

        private static int HexDigit(char c) => c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'a' and <= 'f' => c - 'a' + 10,
            >= 'A' and <= 'F' => c - 'A' + 10,
            _ => -1,
        };
    }
}
