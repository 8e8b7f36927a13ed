using OrleansKb.Text;

namespace OrleansKb.Atoms;

/// <summary>The boolean atoms <c>True</c> and <c>False</c>; there is one instance of each.</summary>
public sealed class BooleanAtom : TokenAtom
{
    private BooleanAtom(bool value)
        : base(AtomKind.Boolean, value ? [.. CanonicalText.True] : [.. CanonicalText.False]) => Value = value;

    /// <summary>The atom <c>True</c>.</summary>
    public static BooleanAtom True { get; } = new(true);

    /// <summary>The atom <c>False</c>.</summary>
    public static BooleanAtom False { get; } = new(false);

    /// <summary>The boolean's value.</summary>
    public bool Value { get; }
}
