using System.Text;
using OrleansKb.Text;

namespace OrleansKb.Atoms;

/// <summary>A string literal. Its canonical token is the value in quotes, re-escaped.</summary>
public sealed class StringAtom : TokenAtom
{
    private string? _value;

    private StringAtom(string? value, byte[] token)
        : base(AtomKind.String, token) => _value = value;

    /// <summary>The string's value (unescaped; made from the token on first use: most atoms are only ever encoded).</summary>
    public string Value => _value ??= Unquote(CanonicalUtf8);

    internal static StringAtom Create(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!Utf8Text.IsValidScalarText(value))
        {
            throw new ArgumentException("The string holds an unpaired surrogate, which UTF-8 cannot encode.", nameof(value));
        }

        return new StringAtom(value, CanonicalText.QuoteString(Encoding.UTF8.GetBytes(value)));
    }

    /// <summary>From the value and its token, when the token is known to be canonical (the decoder checked it).</summary>
    internal static StringAtom FromCanonicalToken(ReadOnlySpan<byte> token) => new(null, token.ToArray());

    /// <summary>From the value's UTF-8 bytes (already valid UTF-8).</summary>
    internal static StringAtom FromValidatedUtf8(ReadOnlySpan<byte> valueUtf8) => new(null, CanonicalText.QuoteString(valueUtf8));

    private static string Unquote(ReadOnlySpan<byte> token)
    {
        var inner = token[1..^1];
        var value = new byte[inner.Length];
        CanonicalText.Unescape(inner, value, rawBytes: false, out var written, out _);
        return Encoding.UTF8.GetString(value, 0, written);
    }
}
