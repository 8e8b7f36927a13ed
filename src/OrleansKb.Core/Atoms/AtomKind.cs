namespace OrleansKb.Atoms;

/// <summary>The seven kinds of MeTTa atom the store knows.</summary>
public enum AtomKind : byte
{
    /// <summary>A name: <c>parent</c>.</summary>
    Symbol,
    /// <summary>A variable: <c>$x</c>.</summary>
    Variable,
    /// <summary>A quoted string: <c>"Elizabeth"</c>.</summary>
    String,
    /// <summary>A 64-bit integer: <c>1926</c>.</summary>
    Integer,
    /// <summary>A double: <c>1.5</c>.</summary>
    Double,
    /// <summary><c>True</c> or <c>False</c>.</summary>
    Boolean,
    /// <summary>A parenthesised list of atoms: <c>(parent $p $x)</c>.</summary>
    Expression,
}
