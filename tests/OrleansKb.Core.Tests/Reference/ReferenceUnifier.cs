using OrleansKb.Atoms;

namespace OrleansKb.Tests.Reference;

/// <summary>
/// A deliberately simple, independent unifier for the matcher's tests: recursive, with a mutable
/// dictionary of bindings and an occurs check, sharing no code with the product's matcher.
/// </summary>
internal static class ReferenceUnifier
{
    /// <summary>The bindings that make the two atoms equal, or null.</summary>
    public static Dictionary<string, Atom>? Unify(Atom left, Atom right)
    {
        var bindings = new Dictionary<string, Atom>();
        return Unify(left, right, bindings) ? bindings : null;
    }

    /// <summary><paramref name="atom"/> with the bindings applied all the way down.</summary>
    public static Atom Apply(Atom atom, Dictionary<string, Atom> bindings) => atom switch
    {
        VariableAtom v when bindings.TryGetValue(v.Name, out var bound) => Apply(bound, bindings),
        ExpressionAtom e => Atom.Expression(e.Children.ToArray().Select(c => Apply(c, bindings))),
        _ => atom,
    };

    private static bool Unify(Atom a, Atom b, Dictionary<string, Atom> bindings)
    {
        a = Walk(a, bindings);
        b = Walk(b, bindings);
        if (a is VariableAtom va && b is VariableAtom vb && va.Name == vb.Name)
        {
            return true;
        }

        if (a is VariableAtom v1)
        {
            return Bind(v1.Name, b, bindings);
        }

        if (b is VariableAtom v2)
        {
            return Bind(v2.Name, a, bindings);
        }

        if (a is ExpressionAtom ea && b is ExpressionAtom eb)
        {
            return ea.Count == eb.Count && Enumerable.Range(0, ea.Count).All(i => Unify(ea[i], eb[i], bindings));
        }

        return MettaPrintedEqual(a, b);
    }

    private static bool Bind(string name, Atom value, Dictionary<string, Atom> bindings)
    {
        if (Occurs(name, value, bindings))
        {
            return false;
        }

        bindings[name] = value;
        return true;
    }

    private static bool Occurs(string name, Atom atom, Dictionary<string, Atom> bindings) => Walk(atom, bindings) switch
    {
        VariableAtom v => v.Name == name,
        ExpressionAtom e => e.Children.ToArray().Any(c => Occurs(name, c, bindings)),
        _ => false,
    };

    private static Atom Walk(Atom atom, Dictionary<string, Atom> bindings)
    {
        while (atom is VariableAtom v && bindings.TryGetValue(v.Name, out var bound))
        {
            atom = bound;
        }

        return atom;
    }

    // Tokens are equal when their canonical text is: compare printed forms rather than the model's Equals.
    private static bool MettaPrintedEqual(Atom a, Atom b) => a.Kind == b.Kind && a.ToString() == b.ToString();
}
