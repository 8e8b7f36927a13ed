using System.Globalization;
using OrleansKb.Atoms;
using OrleansKb.Codec;

namespace OrleansKb.Text;

/// <summary>Builds atom objects.</summary>
internal readonly struct AtomSink(AtomBuilder builder) : IParseSink
{
    public void BeginAtom() => builder.Reset();

    public void EndAtom()
    {
    }

    public void AbortAtom() => builder.Reset();

    public void BeginExpression() => builder.BeginExpression();

    public void EndExpression() => builder.EndExpression();

    public void Word(ReadOnlySpan<byte> word, WordKind kind) => builder.AddToken(word, kind);

    public void Variable(ReadOnlySpan<byte> name) => builder.Add(VariableAtom.FromValidatedUtf8(name));

    public void String(ReadOnlySpan<byte> valueUtf8, ReadOnlySpan<byte> canonicalToken) =>
        builder.Add(canonicalToken.IsEmpty ? StringAtom.FromValidatedUtf8(valueUtf8) : StringAtom.FromCanonicalToken(canonicalToken));
}

/// <summary>Writes encoded atoms straight into a batch, with no atom objects.</summary>
internal readonly struct EncodingSink(EncodedAtomWriter writer) : IParseSink
{
    public void BeginAtom() => writer.BeginAtom();

    public void EndAtom() => writer.EndAtom();

    public void AbortAtom() => writer.AbortAtom();

    public void BeginExpression() => writer.BeginExpression();

    public void EndExpression() => writer.EndExpression();

    public void Word(ReadOnlySpan<byte> word, WordKind kind)
    {
        switch (kind)
        {
            case WordKind.Integer when !CanonicalText.IsCanonicalIntegerWord(word):
                Span<byte> digits = stackalloc byte[20];
                CanonicalText.ParseCheckedInteger(word).TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
                writer.WriteToken(digits[..written]);
                break;
            case WordKind.Double:
                Span<byte> text = stackalloc byte[CanonicalText.MaxDoubleLength];
                writer.WriteToken(text[..CanonicalText.FormatDouble(CanonicalText.ParseCheckedDouble(word), text)]);
                break;
            default:
                writer.WriteToken(word);
                break;
        }
    }

    public void Variable(ReadOnlySpan<byte> name) => writer.WriteVariable(name);

    public void String(ReadOnlySpan<byte> valueUtf8, ReadOnlySpan<byte> canonicalToken)
    {
        if (canonicalToken.IsEmpty)
        {
            writer.WriteQuotedString(valueUtf8);
        }
        else
        {
            writer.WriteToken(canonicalToken);
        }
    }
}
