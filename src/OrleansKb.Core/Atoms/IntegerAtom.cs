using OrleansKb.Text;

namespace OrleansKb.Atoms;

/// <summary>A 64-bit signed integer.</summary>
public sealed class IntegerAtom : TokenAtom
{
    private IntegerAtom(long value)
        : base(AtomKind.Integer, CanonicalText.FormatInteger(value)) => Value = value;

    // Small integers (ids, counts, years) recur: one shared object each.
    private static readonly IntegerAtom[] Small = [.. Enumerable.Range(-128, 2048 + 128).Select(i => new IntegerAtom(i))];

    /// <summary>The integer's value.</summary>
    public long Value { get; }

    internal static IntegerAtom Of(long value) => value is >= -128 and < 2048 ? Small[value + 128] : new IntegerAtom(value);
}
