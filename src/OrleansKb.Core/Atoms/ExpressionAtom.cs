namespace OrleansKb.Atoms;

/// <summary>An expression: a sequence of child atoms, printed <c>(a b c)</c>; <c>()</c> is the empty one.</summary>
public sealed class ExpressionAtom : Atom
{
    private readonly Atom[] _children;

    /// <summary>Takes ownership of <paramref name="children"/>; callers pass a fresh array.</summary>
    internal ExpressionAtom(Atom[] children)
        : base(AtomKind.Expression, ChildrenHash(children)) => _children = children;

    /// <summary>The children, in order.</summary>
    public ReadOnlySpan<Atom> Children => _children;

    /// <summary>The children array itself, for the encoder's and printer's loops; never modified.</summary>
    internal Atom[] ChildArray => _children;

    /// <summary>The number of children.</summary>
    public int Count => _children.Length;

    /// <summary>The child at <paramref name="index"/>.</summary>
    public Atom this[int index] => _children[index];

    internal override bool LeafEquals(Atom other) => throw new InvalidOperationException("An expression is not a leaf.");

    /// <summary>Deep equality without recursion: pairs of sub-expressions still to compare go on a stack.</summary>
    internal static bool ChildrenEqual(ExpressionAtom left, ExpressionAtom right)
    {
        Stack<(ExpressionAtom Left, ExpressionAtom Right)>? pending = null;
        while (true)
        {
            if (left._children.Length != right._children.Length)
            {
                return false;
            }

            for (var i = 0; i < left._children.Length; i++)
            {
                Atom a = left._children[i], b = right._children[i];
                if (ReferenceEquals(a, b))
                {
                    continue;
                }

                if (!SameShallow(a, b))
                {
                    return false;
                }

                if (a is ExpressionAtom subLeft)
                {
                    (pending ??= new()).Push((subLeft, (ExpressionAtom)b));
                }
                else if (!a.LeafEquals(b))
                {
                    return false;
                }
            }

            if (pending is null || !pending.TryPop(out var next))
            {
                return true;
            }

            (left, right) = next;
        }
    }

    private static int ChildrenHash(Atom[] children)
    {
        var hash = new HashCode();
        hash.Add(AtomKind.Expression);
        hash.Add(children.Length);
        foreach (var child in children)
        {
            ArgumentNullException.ThrowIfNull(child, nameof(children));
            hash.Add(child.GetHashCode());
        }

        return hash.ToHashCode();
    }
}
