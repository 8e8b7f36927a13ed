using OrleansKb.Codec;
using OrleansKb.Text;

namespace OrleansKb.Atoms;

/// <summary>
/// An immutable MeTTa atom. <see cref="Equals(Atom?)"/> is structural (variables compare by name);
/// <see cref="AlphaEquivalent"/> is equality up to a consistent renaming of variables, which is
/// the identity the store uses. Hash codes are computed once, bottom-up, at construction, and no
/// operation on atoms recurses, so atoms nested hundreds of thousands deep are safe.
/// </summary>
public abstract class Atom : IEquatable<Atom>
{
    private readonly int _hash;
    private readonly AtomKind _kind;

    private protected Atom(AtomKind kind, int hash)
    {
        _kind = kind;
        _hash = hash;
    }

    /// <summary>Which of the seven kinds this atom is.</summary>
    public AtomKind Kind => _kind;

    /// <summary>
    /// A symbol named <paramref name="name"/>: any text but that of a string, number or boolean (<c>7</c>
    /// is the integer 7), with the lone surrogates U+DC80–U+DCFF standing for bytes that are not UTF-8
    /// (see <see cref="SymbolAtom"/>).
    /// </summary>
    public static SymbolAtom Symbol(string name) => SymbolAtom.Create(name);

    /// <summary>The symbol whose name is <paramref name="name"/>'s bytes, as MORK keeps symbols: any bytes but the canonical text of a string, number or boolean.</summary>
    public static SymbolAtom Symbol(ReadOnlySpan<byte> name) => SymbolAtom.Create(name);

    /// <summary>A variable; <paramref name="name"/> is written without the leading <c>$</c>.</summary>
    public static VariableAtom Variable(string name) => VariableAtom.Create(name);

    /// <summary>A string atom holding <paramref name="value"/> (unescaped).</summary>
    public static StringAtom String(string value) => StringAtom.Create(value);

    /// <summary>A 64-bit integer atom.</summary>
    public static IntegerAtom Integer(long value) => IntegerAtom.Of(value);

    /// <summary>A double atom; NaN and infinities have no MeTTa text and are refused.</summary>
    public static DoubleAtom Double(double value) => DoubleAtom.Create(value);

    /// <summary>The boolean atom <c>True</c> or <c>False</c>.</summary>
    public static BooleanAtom Boolean(bool value) => value ? BooleanAtom.True : BooleanAtom.False;

    /// <summary>An expression with the given children (copied).</summary>
    public static ExpressionAtom Expression(params ReadOnlySpan<Atom> children) => new(children.ToArray());

    /// <summary>An expression with the given children (copied).</summary>
    public static ExpressionAtom Expression(IEnumerable<Atom> children) => new(children.ToArray());

    /// <summary>True when the atoms are equal up to a consistent renaming of variables.</summary>
    public static bool AlphaEquivalent(Atom left, Atom right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return AtomEncoder.Encode(left).AsSpan().SequenceEqual(AtomEncoder.Encode(right));
    }

    /// <inheritdoc/>
    public sealed override int GetHashCode() => _hash;

    /// <inheritdoc/>
    public sealed override bool Equals(object? obj) => Equals(obj as Atom);

    /// <inheritdoc/>
    public bool Equals(Atom? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || !SameShallow(this, other))
        {
            return false;
        }

        return this is ExpressionAtom expression
            ? ExpressionAtom.ChildrenEqual(expression, (ExpressionAtom)other)
            : LeafEquals(other);
    }

    /// <summary>The atom in canonical MeTTa text.</summary>
    public sealed override string ToString() => MettaPrinter.Print(this);

    /// <summary>Whether two atoms are equal (<see cref="Equals(Atom?)"/>), or both null.</summary>
    public static bool operator ==(Atom? left, Atom? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Whether two atoms differ (<see cref="Equals(Atom?)"/>).</summary>
    public static bool operator !=(Atom? left, Atom? right) => !(left == right);

    /// <summary>Same kind and hash: the cheap test before a deep comparison.</summary>
    internal static bool SameShallow(Atom left, Atom right) => left._hash == right._hash && left._kind == right._kind;

    /// <summary>Equality of two non-expression atoms of the same kind.</summary>
    internal abstract bool LeafEquals(Atom other);
}
