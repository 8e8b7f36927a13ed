using OrleansKb.Atoms;

namespace OrleansKb.Spaces;

/// <summary>One pattern of a conjunction, with its solutions alone and the statistics of its variables.</summary>
internal sealed class Conjunct
{
    // Distinct values per variable, counted on first use: a single pattern never needs them.
    private Dictionary<string, int>? _distinct;

    public Conjunct(Atom pattern, List<Substitution> solutions)
    {
        Pattern = pattern;
        Solutions = solutions;
        Variables = [.. VariablesOf(pattern).Distinct()];
    }

    public Atom Pattern { get; }

    public List<Substitution> Solutions { get; }

    /// <summary>The pattern's variables in the order the trie walk meets them.</summary>
    public List<string> Variables { get; }

    /// <summary>How much the bound variables narrow the solutions: Π D(v) over the pattern's bound variables.</summary>
    public double Selectivity(HashSet<string> bound) =>
        Variables.Where(bound.Contains).Aggregate(1.0, (product, v) => product * Distinct(v));

    /// <summary>How much they narrow the walk: Π D(v) over the bound variables before the first unbound one.</summary>
    public double LeadingSelectivity(HashSet<string> bound) =>
        Variables.TakeWhile(bound.Contains).Aggregate(1.0, (product, v) => product * Distinct(v));

    private int Distinct(string variable)
    {
        _distinct ??= Variables.ToDictionary(
            v => v,
            v =>
            {
                var atom = Atom.Variable(v);
                return Math.Max(1, Solutions.Select(s => s.Apply(atom)).Distinct().Count());
            });
        return _distinct[variable];
    }

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
