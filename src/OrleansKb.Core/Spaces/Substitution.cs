using OrleansKb.Atoms;

namespace OrleansKb.Spaces;

/// <summary>
/// Variable bindings of a unification, by variable name, immutable (a join extends one per
/// solution). <see cref="Unify"/> is Robinson unification with an occurs check; <see cref="Apply"/>
/// resolves bindings all the way down.
/// </summary>
internal sealed class Substitution
{
    private readonly Dictionary<string, Atom> _bindings;

    private Substitution(Dictionary<string, Atom> bindings) => _bindings = bindings;

    public static Substitution Empty { get; } = new([]);

    /// <summary>This substitution extended so that <paramref name="left"/> and <paramref name="right"/> become equal, or null if they cannot.</summary>
    public Substitution? Unify(Atom left, Atom right)
    {
        var bindings = new Dictionary<string, Atom>(_bindings);
        var pending = new Stack<(Atom, Atom)>();
        pending.Push((left, right));
        while (pending.TryPop(out var pair))
        {
            var a = Resolve(bindings, pair.Item1);
            var b = Resolve(bindings, pair.Item2);
            if (a is VariableAtom va)
            {
                if (b is VariableAtom vb && va.Name == vb.Name)
                {
                    continue;
                }

                if (Occurs(bindings, va.Name, b))
                {
                    return null;
                }

                bindings[va.Name] = b;
            }
            else if (b is VariableAtom vb)
            {
                if (Occurs(bindings, vb.Name, a))
                {
                    return null;
                }

                bindings[vb.Name] = a;
            }
            else if (a is ExpressionAtom ea && b is ExpressionAtom eb)
            {
                if (ea.Count != eb.Count)
                {
                    return null;
                }

                for (var i = 0; i < ea.Count; i++)
                {
                    pending.Push((ea[i], eb[i]));
                }
            }
            else if (!a.Equals(b))
            {
                return null;
            }
        }

        return new Substitution(bindings);
    }

    /// <summary><paramref name="atom"/> with every bound variable replaced, recursively.</summary>
    public Atom Apply(Atom atom)
    {
        atom = Resolve(_bindings, atom);
        if (atom is not ExpressionAtom expression)
        {
            return atom;
        }

        var children = new Atom[expression.Count];
        var changed = false;
        for (var i = 0; i < children.Length; i++)
        {
            children[i] = Apply(expression[i]);
            changed |= !ReferenceEquals(children[i], expression[i]);
        }

        return changed ? new ExpressionAtom(children) : expression;
    }

    private static Atom Resolve(Dictionary<string, Atom> bindings, Atom atom)
    {
        while (atom is VariableAtom variable && bindings.TryGetValue(variable.Name, out var bound))
        {
            atom = bound;
        }

        return atom;
    }

    private static bool Occurs(Dictionary<string, Atom> bindings, string name, Atom atom)
    {
        var pending = new Stack<Atom>();
        pending.Push(atom);
        while (pending.TryPop(out var next))
        {
            next = Resolve(bindings, next);
            if (next is VariableAtom variable && variable.Name == name)
            {
                return true;
            }

            if (next is ExpressionAtom expression)
            {
                foreach (var child in expression.Children)
                {
                    pending.Push(child);
                }
            }
        }

        return false;
    }
}
