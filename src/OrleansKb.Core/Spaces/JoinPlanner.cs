using OrleansKb.Atoms;

namespace OrleansKb.Spaces;

/// <summary>
/// Plans the join of a conjunction <c>(, p1 … pn)</c> (docs/matching.md): each pattern matched alone
/// once — counting its solutions and the distinct values of its variables — unless an
/// alpha-equivalent pattern of the same conjunction was, or the space kept its statistics from an
/// earlier query (<see cref="PatternStatistics"/>); then the order of least estimated work
/// (<see cref="Order"/>). The matching alone runs in bounded steps, as the join does, on the join's
/// first level before the join needs it.
/// </summary>
internal sealed class JoinPlanner(List<Conjunct> conjuncts)
{
    // Solutions a conjunct is planned from when its number can be counted without walking them all.
    private const int PlanSample = 1024;

    private int _planned;
    private bool _walking;

    /// <summary>How many of the patterns were matched alone to plan (the others' statistics were known).</summary>
    public int PatternsMatchedAlone { get; private set; }

    /// <summary>
    /// Plans as far as <paramref name="work"/> goes, walking with <paramref name="level"/>; returns the
    /// join order once every pattern is planned, else null (call again in the next step).
    /// </summary>
    public List<Conjunct>? Plan(ref int work, MatchLevel level, in MatchView view, ref int renamed)
    {
        while (_planned < conjuncts.Count)
        {
            var conjunct = conjuncts[_planned];
            if (!_walking && conjuncts.Take(_planned).FirstOrDefault(c => Atom.AlphaEquivalent(c.Pattern, conjunct.Pattern)) is { } same)
            {
                conjunct.CopyStatistics(same.Count, same.DistinctCounts());
                _planned++;
                continue;
            }

            if (!_walking && view.Statistics.TryGet(conjunct.Key, view.Trie.Count, out var count, out var distinct))
            {
                conjunct.CopyStatistics(count, distinct);
                _planned++;
                continue;
            }

            if (!_walking)
            {
                level.Start(conjunct.Pattern, Substitution.Empty, view);
                _walking = true;
            }

            var step = level.Next(ref work);
            if (step == WalkStep.Paused)
            {
                return null;
            }

            if (step == WalkStep.Done)
            {
                Planned(conjunct, view);
                continue;
            }

            if (level.Solve(ref renamed) is { } solution)
            {
                conjunct.Observe(solution);
                if (conjunct.Count == PlanSample && conjunct.CountWithoutWalking(view) is { } total)
                {
                    // A sample is enough for the distinct values; the number is counted in the trie.
                    conjunct.Extrapolate(total);
                    Planned(conjunct, view);
                }
            }
        }

        var order = Order(conjuncts, view.IndexCoversAll([.. conjuncts.Select(c => c.ConstantPrefix)]));
        foreach (var conjunct in conjuncts)
        {
            conjunct.ForgetValues();
        }

        return order;
    }

    /// <summary>
    /// The order of a conjunction's patterns with the least estimated work. The trie is ordered by
    /// argument position, so a pattern walks cheaply only along its leading constants and bound
    /// variables; after its first unbound variable it enumerates — unless the argument index is
    /// complete (<paramref name="index"/>) and a later argument is bound. For pattern p, from its
    /// solutions alone: N solutions, and D(v) distinct values of each variable. Given the variables
    /// bound before it, p costs N ÷ Π D(v) over the bound variables that lead its walk, and yields
    /// N ÷ Π D(v) over all its bound variables per earlier row. Every order is costed (up to 7
    /// patterns; beyond, greedily) and the cheapest wins — not the written order, as MORK does.
    /// </summary>
    public static List<Conjunct> Order(List<Conjunct> conjuncts, bool index)
    {
        if (conjuncts.Count <= 1)
        {
            return conjuncts;
        }

        var best = conjuncts;
        var bestCost = double.MaxValue;
        var orders = conjuncts.Count <= 7 ? Permutations(conjuncts) : [Greedy(conjuncts, index)];
        foreach (var order in orders)
        {
            var bound = new HashSet<string>();
            double rows = 1, cost = 0;
            foreach (var conjunct in order)
            {
                cost += rows * Math.Max(1, conjunct.Count / conjunct.LeadingSelectivity(bound, index));
                rows *= Math.Max(1e-3, conjunct.Count / conjunct.Selectivity(bound));
                bound.UnionWith(conjunct.Variables);
            }

            if (cost < bestCost)
            {
                (best, bestCost) = (order, cost);
            }
        }

        return best;
    }

    /// <summary>
    /// Each pattern of <paramref name="conjunction"/> measured alone in <paramref name="space"/> as its
    /// planner measures it (N and D(v) of its variables in walk order, from the space's kept
    /// statistics or by matching it), in written order; null if that takes more than
    /// <paramref name="most"/> — the space keeps what it measured, so asking again goes further.
    /// </summary>
    public static PatternCounts[]? Measure(AtomSpace space, Atom conjunction, TimeSpan most)
    {
        var conjuncts = ((ExpressionAtom)conjunction).Children[1..].ToArray().Select(c => new Conjunct(c)).ToList();
        var planning = (Planner: new JoinPlanner(conjuncts), Level: new MatchLevel(), Renamed: new int[1]);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (!space.Step(planning, static (view, p) =>
        {
            var work = MeasureWork;
            return p.Planner.Plan(ref work, p.Level, view, ref p.Renamed[0]) is not null;
        }))
        {
            if (System.Diagnostics.Stopwatch.GetElapsedTime(started) > most)
            {
                return null;
            }
        }

        return [.. conjuncts.Select(c => new PatternCounts(c.Count, c.DistinctCounts()))];
    }

    // Trie frames visited per step of measuring (the lock is let go between steps).
    private const int MeasureWork = 16 * 1024;

    /// <summary>One pattern matched alone: its statistics are kept by the space for the next query that has it.</summary>
    private void Planned(Conjunct conjunct, in MatchView view)
    {
        view.Statistics.Remember(conjunct.Key, conjunct.Count, conjunct.DistinctCounts(), view.Trie.Count);
        PatternsMatchedAlone++;
        _planned++;
        _walking = false;
    }

    private static List<Conjunct> Greedy(List<Conjunct> conjuncts, bool index)
    {
        var remaining = conjuncts.ToList();
        var order = new List<Conjunct>();
        var bound = new HashSet<string>();
        while (remaining.Count > 0)
        {
            var next = remaining.MinBy(c => c.Count / c.LeadingSelectivity(bound, index))!;
            order.Add(next);
            remaining.Remove(next);
            bound.UnionWith(next.Variables);
        }

        return order;
    }

    private static IEnumerable<List<Conjunct>> Permutations(List<Conjunct> items)
    {
        if (items.Count <= 1)
        {
            yield return items;
            yield break;
        }

        for (var i = 0; i < items.Count; i++)
        {
            var rest = items.Where((_, j) => j != i).ToList();
            foreach (var tail in Permutations(rest))
            {
                yield return [items[i], .. tail];
            }
        }
    }
}
