using OrleansKb.Atoms;

namespace OrleansKb.Spaces;

/// <summary>
/// One pattern of a conjunction and the statistics its join order is chosen by, gathered by
/// matching it alone once: N, its number of solutions, and D(v), the number of distinct values of
/// each variable. Only a hash per distinct value is kept while planning, and only the counts after.
/// </summary>
internal sealed class Conjunct
{
    // The variables as atoms, to look each up in a solution without making it again.
    private VariableAtom[]? _variableAtoms;

    // A hash per distinct value of each variable, while planning (made at the first solution).
    private HashSet<int>[]? _values;

    // D(v) per variable, once the hashes are dropped.
    private int[]? _distinct;

    private byte[]? _encoded;
    private string? _key;

    // For a pattern the argument index can serve, each later argument's variables (indices into
    // Variables), to cost a walk of the index; made when a join order is first costed.
    private int[][]? _laterArguments;
    private byte[]? _constantPrefix;

    public Conjunct(Atom pattern)
    {
        Pattern = pattern;
        var variables = VariablesOf(pattern);
        Variables = variables.Count <= 1 ? variables : [.. variables.Distinct()];
    }

    public Atom Pattern { get; }

    /// <summary>The pattern's encoding as a string of bytes: the same for alpha-equivalent patterns.</summary>
    public string Key => _key ??= System.Text.Encoding.Latin1.GetString(Encoded);

    /// <summary>The pattern's encoding.</summary>
    private byte[] Encoded => _encoded ??= Codec.AtomEncoder.Encode(Pattern);

    /// <summary>The bytes every atom the pattern matches by its constants begins with (<see cref="ConstantPrefixOf"/>).</summary>
    public byte[] ConstantPrefix => _constantPrefix ??= ConstantPrefixOf(Encoded);

    /// <summary>The bytes of an encoded pattern before its first variable: every stored ground atom it matches begins with them.</summary>
    public static byte[] ConstantPrefixOf(ReadOnlySpan<byte> encoded) => encoded[..Codec.EncodedItem.ConstantPrefix(encoded, [])].ToArray();

    /// <summary>The pattern's variables in the order the trie walk meets them.</summary>
    public List<string> Variables { get; }

    /// <summary>N: the pattern's solutions alone.</summary>
    public long Count { get; private set; }

    /// <summary>Counts one solution of the pattern alone.</summary>
    public void Observe(Substitution solution)
    {
        Count++;
        _values ??= [.. Variables.Select(_ => new HashSet<int>())];
        _variableAtoms ??= [.. Variables.Select(Atom.Variable)];
        for (var i = 0; i < Variables.Count; i++)
        {
            // A value read from a key is hashed as its bytes, without decoding it.
            _values[i].Add(solution.TryGetEncoded(Variables[i], out var encoded) && !encoded.IsEmpty
                ? (int)System.IO.Hashing.XxHash32.HashToUInt32(encoded.Span)
                : solution.Apply(_variableAtoms[i]).GetHashCode());
        }
    }

    /// <summary>
    /// N counted without walking, if the pattern is a constant prefix followed only by distinct unbound
    /// variables — <c>(parent $p $x)</c>: every key under the prefix is a solution then, as long as no
    /// stored atom holds a variable (which could match it from elsewhere). Null otherwise.
    /// </summary>
    public long? CountWithoutWalking(in MatchView view)
    {
        if (view.HasStoredVariables)
        {
            return null;
        }

        var items = new List<PatternItem>();
        PatternItem.Split(Encoded, items, new Stack<(int, long)>());
        return PatternItem.TailStart(Encoded, items) is >= 0 and var prefix ? view.Trie.CountWithPrefix(Encoded.AsSpan(0, prefix)) : null;
    }

    /// <summary>
    /// Takes <paramref name="total"/> as N when only a sample of the solutions was observed: each
    /// variable's distinct values are scaled as in the sample (at most N).
    /// </summary>
    public void Extrapolate(long total)
    {
        if (_values is null || Count == 0)
        {
            Count = total;
            return;
        }

        var scale = (double)total / Count;
        _distinct = [.. _values.Select(v => (int)Math.Min(total, Math.Ceiling(v.Count * scale)))];
        _values = null;
        Count = total;
    }

    /// <summary>
    /// Takes statistics measured before: of an alpha-equivalent pattern (the same solutions, its
    /// variables renamed, in the same order) — three <c>(parent …)</c> patterns of one conjunction are
    /// matched once, not three times — or of this pattern in an earlier query (<see cref="PatternStatistics"/>).
    /// </summary>
    public void CopyStatistics(long count, int[] distinct) => (Count, _distinct, _values) = (count, distinct, null);

    /// <summary>D(v) of each variable, in <see cref="Variables"/>' order.</summary>
    public int[] DistinctCounts() => [.. Enumerable.Range(0, Variables.Count).Select(Distinct)];

    /// <summary>How much the bound variables narrow the solutions: Π D(v) over the pattern's bound variables.</summary>
    public double Selectivity(HashSet<string> bound) =>
        Enumerable.Range(0, Variables.Count).Where(i => bound.Contains(Variables[i])).Aggregate(1.0, (product, i) => product * Distinct(i));

    /// <summary>
    /// How much they narrow the walk. In the space's trie: Π D(v) over the bound variables before the
    /// first unbound one. When the first argument is unbound and a later argument is wholly bound, the
    /// walk takes the argument index instead (as <see cref="ArgumentIndex.PositionFor"/> chooses: the
    /// first such argument), narrowed by Π D(v) over that argument's variables — if the
    /// <paramref name="index"/> is there to take.
    /// </summary>
    public double LeadingSelectivity(HashSet<string> bound, bool index)
    {
        if (index && Pattern is ExpressionAtom { Count: >= 3 and <= ArgumentIndex.MaxArity } expression && expression[1] is VariableAtom first && !bound.Contains(first.Name))
        {
            _laterArguments ??= [.. expression.Children[2..].ToArray().Select(argument => VariablesOf(argument).Distinct().Select(v => Variables.IndexOf(v)).ToArray())];
            foreach (var argument in _laterArguments)
            {
                if (argument.All(i => bound.Contains(Variables[i])))
                {
                    return argument.Aggregate(1.0, (product, i) => product * Distinct(i));
                }
            }
        }

        return Enumerable.Range(0, Variables.Count).TakeWhile(i => bound.Contains(Variables[i])).Aggregate(1.0, (product, i) => product * Distinct(i));
    }

    /// <summary>Drops the hashes of the values once the join order is chosen: a match then keeps no memory that grows with the data.</summary>
    public void ForgetValues()
    {
        if (_values is not null)
        {
            _distinct = [.. _values.Select(v => v.Count)];
            _values = null;
        }
    }

    private int Distinct(int variable) => Math.Max(1, _distinct?[variable] ?? _values?[variable].Count ?? 0);

    /// <summary>Whether <paramref name="pattern"/> is a conjunction <c>(, p1 … pn)</c>.</summary>
    public static bool IsConjunction(Atom pattern) => pattern is ExpressionAtom { Count: > 0 } expression && expression[0] is SymbolAtom { Name: "," };

    /// <summary>The variables of an atom in prefix order (with repeats).</summary>
    public static List<string> VariablesOf(Atom atom)
    {
        var variables = new List<string>();
        switch (atom)
        {
            case VariableAtom variable:
                variables.Add(variable.Name);
                return variables;
            case ExpressionAtom expression when !HasNested(expression):
                // Most patterns are flat, tokens and variables: no stack.
                foreach (var child in expression.Children)
                {
                    if (child is VariableAtom named)
                    {
                        variables.Add(named.Name);
                    }
                }

                return variables;
            case not ExpressionAtom:
                return variables;
        }

        var pending = new Stack<Atom>();
        pending.Push(atom);
        while (pending.TryPop(out var next))
        {
            if (next is VariableAtom variable)
            {
                variables.Add(variable.Name);
            }
            else if (next is ExpressionAtom expression)
            {
                for (var i = expression.Count - 1; i >= 0; i--)
                {
                    pending.Push(expression[i]);
                }
            }
        }

        return variables;
    }

    private static bool HasNested(ExpressionAtom expression)
    {
        foreach (var child in expression.Children)
        {
            if (child is ExpressionAtom)
            {
                return true;
            }
        }

        return false;
    }
}
