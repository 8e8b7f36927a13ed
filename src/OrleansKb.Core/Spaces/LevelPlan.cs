using OrleansKb.Atoms;
using OrleansKb.Codec;

namespace OrleansKb.Spaces;

/// <summary>
/// How a level of a join walks its pattern when a given set of its variables is bound to ground
/// values (<see cref="MatchLevel"/>): which trie (the space's, or the argument index at
/// <see cref="Position"/>), and the walked pattern's encoding cut into constant bytes and a hole per
/// bound variable occurrence. The unbound variables are numbered as if the bound ones were the
/// constants they will be, so filling the holes gives exactly the encoding of the pattern with the
/// bindings applied.
/// </summary>
internal sealed class LevelPlan
{
    private static readonly Atom Placeholder = Atom.Symbol("_");

    // Constant bytes, or (Constant null) the hole of a bound variable, in order.
    private readonly (byte[]? Constant, string Hole)[] _segments;

    // The holes' values while filling (a plan is used by one match at a time).
    private readonly ReadOnlyMemory<byte>[] _holeValues;

    private LevelPlan(Atom pattern, ulong bound, bool index, int position, string[] unbound, bool tail, (byte[]?, string)[] segments)
    {
        Pattern = pattern;
        Bound = bound;
        Index = index;
        Position = position;
        Unbound = unbound;
        _segments = segments;
        _holeValues = new ReadOnlyMemory<byte>[segments.Length];
        FirstOccurrence = FirstOccurrences(unbound);
        TailVariables = tail ? unbound.Length : 0;
    }

    /// <summary>The pattern the plan is for.</summary>
    public Atom Pattern { get; }

    /// <summary>Which of the pattern's distinct variables are bound: bit i for the i-th.</summary>
    public ulong Bound { get; }

    /// <summary>Whether the argument index could be walked when the plan was made (complete).</summary>
    public bool Index { get; }

    /// <summary>0 for the space's trie, else the argument position the index is walked at.</summary>
    public int Position { get; }

    /// <summary>The unbound variables in the order the walk meets them, with repeats.</summary>
    public string[] Unbound { get; }

    /// <summary>
    /// The number of unbound variables if the walked pattern ends with all of them, each once, after
    /// every constant and hole (<c>(parent $gp $a)</c> with <c>$gp</c> bound): its filled encoding is
    /// then a prefix followed by that many one-byte new variables. Else 0.
    /// </summary>
    public int TailVariables { get; }

    /// <summary>For each of <see cref="Unbound"/>, the index of its first occurrence there.</summary>
    public int[] FirstOccurrence { get; }

    /// <summary>
    /// The argument position a walk of <paramref name="pattern"/> takes once <paramref name="bound"/>
    /// variables are bound to ground values and the argument index is complete (0: the space's trie).
    /// </summary>
    public static int IndexPosition(Atom pattern, IEnumerable<string> bound) =>
        ArgumentIndex.PositionFor(WithBoundAsConstants(pattern, bound));

    // A walk's trie is chosen as for the pattern with its bound variables made constants.
    private static Atom WithBoundAsConstants(Atom pattern, IEnumerable<string> bound) =>
        bound.Aggregate(Substitution.Empty, (s, name) => s.Bind(name, Placeholder)).Apply(pattern);

    public static LevelPlan Make(Atom pattern, List<string> variables, ulong bound, bool index)
    {
        var isBound = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < variables.Count; i++)
        {
            if ((bound & (1UL << i)) != 0)
            {
                isBound.Add(variables[i]);
            }
        }

        var proxy = WithBoundAsConstants(pattern, isBound);
        var position = index ? ArgumentIndex.PositionFor(proxy) : 0;
        var walked = position > 0 ? ArgumentIndex.Permuted((ExpressionAtom)pattern, position) : pattern;

        var segments = new List<(byte[]?, string)>();
        var constant = new List<byte>();
        var unbound = new List<string>();
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        var pending = new Stack<Atom>();
        pending.Push(walked);

        Span<byte> varint = stackalloc byte[EncodingTags.MaxVarintBytes];
        while (pending.TryPop(out var atom))
        {
            switch (atom)
            {
                case ExpressionAtom expression:
                    if (expression.Count <= EncodingTags.MaxShortArity)
                    {
                        constant.Add((byte)expression.Count);
                    }
                    else
                    {
                        constant.Add(EncodingTags.LongArity);
                        constant.AddRange(varint[..EncodingTags.WriteVarint(varint, expression.Count)]);
                    }

                    for (var i = expression.Count - 1; i >= 0; i--)
                    {
                        pending.Push(expression[i]);
                    }

                    break;
                case VariableAtom variable when isBound.Contains(variable.Name):
                    segments.Add((constant.ToArray(), ""));
                    segments.Add((null, variable.Name));
                    constant.Clear();
                    break;
                case VariableAtom variable:
                    unbound.Add(variable.Name);
                    if (!numbers.TryGetValue(variable.Name, out var number))
                    {
                        numbers[variable.Name] = numbers.Count;
                        constant.Add(EncodingTags.NewVar);
                    }
                    else if (number <= EncodingTags.MaxShortVarRef)
                    {
                        constant.Add((byte)(EncodingTags.VarRefBase + number));
                    }
                    else
                    {
                        constant.Add(EncodingTags.LongVarRef);
                        constant.AddRange(varint[..EncodingTags.WriteVarint(varint, number)]);
                    }

                    break;
                default:
                    constant.AddRange(AtomEncoder.Encode(atom));
                    break;
            }
        }

        segments.Add((constant.ToArray(), ""));
        // The walked pattern ends with its unbound variables, each new, if it does with the bound ones
        // made constants: then its filled encoding is a prefix and that many one-byte new variables.
        var shape = AtomEncoder.Encode(position > 0 ? ArgumentIndex.Permuted((ExpressionAtom)proxy, position) : proxy);
        var items = new List<PatternItem>();
        PatternItem.Split(shape, items, new Stack<(int, long)>());
        var tail = PatternItem.TailStart(shape, items) >= 0;
        return new LevelPlan(pattern, bound, index, position, [.. unbound], tail, [.. segments.Where(s => s.Item1 is not { Length: 0 })]);
    }

    /// <summary>For each of <paramref name="variables"/> (in order, with repeats), the index of its first occurrence.</summary>
    public static int[] FirstOccurrences(string[] variables) => [.. variables.Select(v => Array.IndexOf(variables, v))];

    /// <summary>
    /// Which of <paramref name="variables"/> <paramref name="bindings"/> binds (bit i for the i-th), or
    /// null if one is bound to a value it does not hold encoded (bound by unification: it may hold
    /// variables), or if there are more than 64.
    /// </summary>
    public static ulong? BoundMask<T>(List<string> variables, T bindings)
        where T : IEncodedBindings
    {
        if (variables.Count > 64)
        {
            return null;
        }

        var bound = 0UL;
        for (var i = 0; i < variables.Count; i++)
        {
            if (bindings.TryGetEncoded(variables[i], out var encoded))
            {
                if (encoded.IsEmpty)
                {
                    return null;
                }

                bound |= 1UL << i;
            }
        }

        return bound;
    }

    /// <summary>Writes the walked pattern's encoding, each hole filled with its variable's encoded value in <paramref name="bindings"/>, into <paramref name="buffer"/>, grown if needed; returns its length.</summary>
    public int FillInto<T>(T bindings, ref byte[] buffer)
        where T : IEncodedBindings
    {
        // Each hole's value is looked up once, then copied.
        var length = 0;
        for (var i = 0; i < _segments.Length; i++)
        {
            var (constant, hole) = _segments[i];
            length += constant?.Length ?? (_holeValues[i] = Value(bindings, hole)).Length;
        }

        if (buffer.Length < length)
        {
            buffer = new byte[Math.Max(length, buffer.Length * 2)];
        }

        var at = 0;
        for (var i = 0; i < _segments.Length; i++)
        {
            var part = _segments[i].Constant is { } constant ? constant : _holeValues[i].Span;
            part.CopyTo(buffer.AsSpan(at));
            at += part.Length;
        }

        return length;
    }

    private static ReadOnlyMemory<byte> Value<T>(T bindings, string variable)
        where T : IEncodedBindings =>
        bindings.TryGetEncoded(variable, out var encoded) && !encoded.IsEmpty
            ? encoded
            : throw new InvalidOperationException($"the plan's variable {variable} is not bound to an encoded value");
}
