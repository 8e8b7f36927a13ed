using OrleansKb.Text;

namespace OrleansKb.Atoms;

/// <summary>A 64-bit signed integer.</summary>
public sealed class IntegerAtom : TokenAtom
{
    internal IntegerAtom(long value)
        : base(AtomKind.Integer, CanonicalText.FormatInteger(value)) => Value = value;

    /// <summary>The integer's value.</summary>
    public long Value { get; }

}
