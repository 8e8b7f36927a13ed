using System.Text;
using OrleansKb.Text;

namespace OrleansKb.Atoms;

/// <summary>A string literal. Its canonical token is the value in quotes, re-escaped.</summary>
public sealed class StringAtom : TokenAtom
{
    private StringAtom(string value, byte[] token)
        : base(AtomKind.String, token) => Value = value;

    /// <summary>The string's value (unescaped).</summary>
    public string Value { get; }


    internal static StringAtom Create(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!Utf8Text.IsValidScalarText(value))
        {
            throw new ArgumentException("The string holds an unpaired surrogate, which UTF-8 cannot encode.", nameof(value));
        }

        return FromValidatedUtf8(Encoding.UTF8.GetBytes(value));
    }

    /// <summary>From the value and its token, when the token is known to be canonical (the decoder checked it).</summary>
    internal static StringAtom FromCanonicalToken(ReadOnlySpan<byte> valueUtf8, ReadOnlySpan<byte> token) =>
        new(Encoding.UTF8.GetString(valueUtf8), token.ToArray());

    /// <summary>From the value's UTF-8 bytes (already valid UTF-8).</summary>
    internal static StringAtom FromValidatedUtf8(ReadOnlySpan<byte> valueUtf8) =>
        new(Encoding.UTF8.GetString(valueUtf8), CanonicalText.QuoteString(valueUtf8));
}
