using OrleansKb.Text;

namespace OrleansKb.Atoms;

/// <summary>
/// A 64-bit floating-point number. Equality is by value as written in canonical text, so
/// <c>1.50</c> equals <c>1.5</c>, but <c>0.0</c> and <c>-0.0</c> differ (they print differently).
/// </summary>
public sealed class DoubleAtom : TokenAtom
{
    private DoubleAtom(double value)
        : base(AtomKind.Double, CanonicalText.FormatDouble(value)) => Value = value;

    /// <summary>The number's value.</summary>
    public double Value { get; }

    internal static DoubleAtom Create(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "MeTTa text has no NaN or infinity.");
        }

        return new DoubleAtom(value);
    }
}
