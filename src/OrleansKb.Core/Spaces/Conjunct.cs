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
    private readonly VariableAtom[] _variableAtoms;
    private HashSet<int>[] _values;

    // D(v) per variable, once the hashes are dropped.
    private int[]? _distinct;

    public Conjunct(Atom pattern)
    {
        Pattern = pattern;
        Variables = [.. VariablesOf(pattern).Distinct()];
        _variableAtoms = [.. Variables.Select(Atom.Variable)];
        _values = [.. Variables.Select(_ => new HashSet<int>())];
    }

    public Atom Pattern { get; }

    /// <summary>The pattern's variables in the order the trie walk meets them.</summary>
    public List<string> Variables { get; }

    /// <summary>N: the pattern's solutions alone.</summary>
    public long Count { get; private set; }

    /// <summary>Counts one solution of the pattern alone.</summary>
    public void Observe(Substitution solution)
    {
        Count++;
        for (var i = 0; i < Variables.Count; i++)
        {
            _values[i].Add(solution.Apply(_variableAtoms[i]).GetHashCode());
        }
    }

    /// <summary>How much the bound variables narrow the solutions: Π D(v) over the pattern's bound variables.</summary>
    public double Selectivity(HashSet<string> bound) =>
        Enumerable.Range(0, Variables.Count).Where(i => bound.Contains(Variables[i])).Aggregate(1.0, (product, i) => product * Distinct(i));

    /// <summary>How much they narrow the walk: Π D(v) over the bound variables before the first unbound one.</summary>
    public double LeadingSelectivity(HashSet<string> bound) =>
        Enumerable.Range(0, Variables.Count).TakeWhile(i => bound.Contains(Variables[i])).Aggregate(1.0, (product, i) => product * Distinct(i));

    /// <summary>Drops the hashes of the values once the join order is chosen: a match then keeps no memory that grows with the data.</summary>
    public void ForgetValues()
    {
        var counts = _values.Select(v => v.Count).ToArray();
        _values = [];
        _distinct = counts;
    }

    private int Distinct(int variable) => Math.Max(1, _distinct?[variable] ?? _values[variable].Count);

    /// <summary>The variables of an atom in prefix order (with repeats).</summary>
    public static IEnumerable<string> VariablesOf(Atom atom)
    {
        var pending = new Stack<Atom>();
        pending.Push(atom);
        while (pending.TryPop(out var next))
        {
            if (next is VariableAtom variable)
            {
                yield return variable.Name;
            }
            else if (next is ExpressionAtom expression)
            {
                for (var i = expression.Count - 1; i >= 0; i--)
                {
                    pending.Push(expression[i]);
                }
            }
        }
    }
}
