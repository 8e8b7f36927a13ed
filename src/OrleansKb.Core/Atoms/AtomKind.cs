namespace OrleansKb.Atoms;

/// <summary>The seven kinds of MeTTa atom the store knows.</summary>
public enum AtomKind : byte
{
    Symbol,
    Variable,
    String,
    Integer,
    Double,
    Boolean,
    Expression,
}
