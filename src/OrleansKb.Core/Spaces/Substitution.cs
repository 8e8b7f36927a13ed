using OrleansKb.Atoms;
using OrleansKb.Codec;

namespace OrleansKb.Spaces;

/// <summary>
/// Variable bindings of a unification, by variable name: a persistent chain, so extending one for
/// each solution of a join shares everything already bound. <see cref="Unify"/> is Robinson
/// unification with an occurs check; <see cref="Apply"/> resolves bindings all the way down. A
/// binding to a ground value read from a key keeps its encoding and is decoded only when an atom is
/// needed: a join mostly copies bound values into the next pattern's bytes (<see cref="TryGetEncoded"/>).
/// </summary>
internal sealed class Substitution : IEncodedBindings
{
    private readonly Substitution? _parent;
    private readonly string? _name;
    // A value read from a key: a slice of the walk's key buffer, valid while the walk that gave it stays
    // on that key. Empty for a value bound by unification (an encoded atom is never empty).
    private readonly ReadOnlyMemory<byte> _encoded;
    private Atom? _value;

    private Substitution(Substitution? parent, string? name, Atom? value, ReadOnlyMemory<byte> encoded)
    {
        _parent = parent;
        _name = name;
        _value = value;
        _encoded = encoded;
    }

    public static Substitution Empty { get; } = new(null, null, null, default);

    private Atom Value => _value ??= AtomDecoder.DecodeTrusted(_encoded.Span);

    /// <summary>This substitution extended so that <paramref name="left"/> and <paramref name="right"/> become equal, or null if they cannot.</summary>
    public Substitution? Unify(Atom left, Atom right)
    {
        var bindings = this;
        var pending = new Stack<(Atom, Atom)>();
        pending.Push((left, right));
        while (pending.TryPop(out var pair))
        {
            var a = bindings.Resolve(pair.Item1);
            var b = bindings.Resolve(pair.Item2);
            if (ReferenceEquals(a, b))
            {
                continue;
            }

            if (a is VariableAtom va)
            {
                if (b is VariableAtom vb && va.Name == vb.Name)
                {
                    continue;
                }

                if (bindings.Occurs(va.Name, b))
                {
                    return null;
                }

                bindings = new Substitution(bindings, va.Name, b, default);
            }
            else if (b is VariableAtom vb)
            {
                if (bindings.Occurs(vb.Name, a))
                {
                    return null;
                }

                bindings = new Substitution(bindings, vb.Name, a, default);
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

        return bindings;
    }

    /// <summary>This substitution with <paramref name="name"/> (unbound) bound to <paramref name="value"/> (ground).</summary>
    public Substitution Bind(string name, Atom value) => new(this, name, value, default);

    /// <summary>
    /// This substitution with <paramref name="name"/> (unbound) bound to the ground atom
    /// <paramref name="encoded"/> encodes — kept, not copied: the caller keeps those bytes as they are
    /// while this substitution or one made from it is used (a join level's key, until the level moves on).
    /// </summary>
    public Substitution BindEncoded(string name, ReadOnlyMemory<byte> encoded) => new(this, name, null, encoded);

    /// <summary>
    /// Whether <paramref name="name"/> is bound, and if it is bound to a ground value given encoded
    /// (<see cref="BindEncoded"/>), the encoding; empty for one bound by unification.
    /// </summary>
    public bool TryGetEncoded(string name, out ReadOnlyMemory<byte> encoded)
    {
        for (var node = this; node._name is not null; node = node._parent!)
        {
            if (node._name == name)
            {
                encoded = node._encoded;
                return true;
            }
        }

        encoded = default;
        return false;
    }

    /// <summary><paramref name="atom"/> with every bound variable replaced, recursively.</summary>
    public Atom Apply(Atom atom)
    {
        atom = Resolve(atom);
        if (atom is not ExpressionAtom expression)
        {
            return atom;
        }

        Atom[]? children = null;
        for (var i = 0; i < expression.Count; i++)
        {
            var child = Apply(expression[i]);
            if (!ReferenceEquals(child, expression[i]) && children is null)
            {
                children = expression.Children.ToArray();
            }

            if (children is not null)
            {
                children[i] = child;
            }
        }

        return children is null ? expression : new ExpressionAtom(children);
    }

    private Atom? Lookup(string name)
    {
        for (var node = this; node._name is not null; node = node._parent!)
        {
            if (node._name == name)
            {
                return node.Value;
            }
        }

        return null;
    }

    private Atom Resolve(Atom atom)
    {
        while (atom is VariableAtom variable && Lookup(variable.Name) is { } bound)
        {
            atom = bound;
        }

        return atom;
    }

    private bool Occurs(string name, Atom atom)
    {
        var pending = new Stack<Atom>();
        pending.Push(atom);
        while (pending.TryPop(out var next))
        {
            next = Resolve(next);
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
