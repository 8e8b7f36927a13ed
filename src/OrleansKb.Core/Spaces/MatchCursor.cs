using System.Diagnostics;
using OrleansKb.Atoms;
using OrleansKb.Codec;

namespace OrleansKb.Spaces;

/// <summary>
/// One <c>match</c> in progress (docs/matching.md), run a slice at a time: each call to
/// <see cref="Next"/> finds solutions until its consumer has a page, its time slice is used, or the
/// match ends, and keeps its place for the next call. Nothing is computed ahead of the caller, and
/// what is kept between calls is bounded by the patterns and the trie's depth, not by the number of
/// solutions: a match of ten billion solutions costs the same memory as one of ten.
/// <para>
/// A conjunction <c>(, p1 … pn)</c> is first planned — each pattern matched alone once, counting its
/// solutions and the distinct values of its variables — then joined in the order of least estimated
/// work (<see cref="JoinOrder"/>), as nested trie walks.
/// </para>
/// <para>
/// Between calls the space may change. Every walk then starts again after the last key it gave
/// (<see cref="PatternWalk"/>), so a solution made of atoms present for the whole match is given
/// exactly once; one that involves an atom added or removed meanwhile may or may not be.
/// </para>
/// </summary>
public sealed class MatchCursor
{
    // Trie frames visited between looks at the clock (about 50 µs of work).
    private const int WorkPerCheck = 1024;

    // Solutions a conjunct is planned from when its number can be counted without walking them all.
    private const int PlanSample = 1024;

    private readonly AtomSpace _space;
    private readonly Lock _sync;
    private readonly Atom? _template;
    private readonly long _limit;
    private readonly MatchBudget _budget;
    private readonly List<Conjunct> _conjuncts;
    private readonly MatchLevel[] _levels;
    private List<Conjunct>? _order;
    private int _planned;
    private bool _planStarted;
    private int _depth;
    private int _renamed;

    // The template's distinct variables, the plan last made for writing results as bytes, and its buffer.
    private List<string>? _templateVariables;
    private LevelPlan? _templatePlan;
    private byte[] _result = new byte[256];

    internal MatchCursor(AtomSpace space, Atom pattern, Atom? template, long limit, MatchBudget budget)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ArgumentNullException.ThrowIfNull(budget);
        budget.Validate();
        _space = space;
        _sync = space.Sync;
        _template = template;
        _limit = limit;
        _budget = budget;
        _conjuncts = pattern is ExpressionAtom { Count: > 0 } e && e[0] is SymbolAtom { Name: "," }
            ? [.. e.Children[1..].ToArray().Select(c => new Conjunct(c))]
            : [new Conjunct(pattern)];
        _levels = [.. _conjuncts.Select(_ => new MatchLevel(space))];
        if (_conjuncts.Count == 1)
        {
            StartJoin(_conjuncts);
        }

        Finished = limit == 0;
    }

    /// <summary>Solutions found so far.</summary>
    public long Solutions { get; private set; }

    /// <summary>True once every solution has been found (or the limit reached, or the budget exceeded).</summary>
    public bool Finished { get; private set; }

    /// <summary>How many of the conjunction's patterns this match has matched alone to plan (the others' statistics were known).</summary>
    internal int PatternsMatchedAlone { get; private set; }

    /// <summary>The time spent finding solutions so far, summed over the calls to <see cref="Next"/>.</summary>
    public TimeSpan Work { get; private set; }

    /// <summary>
    /// Finds solutions for at most about <paramref name="slice"/>. Each solution's template, if the
    /// match has one, goes to <paramref name="onResult"/>, which returns false when it wants no more
    /// for now (its page is full). Returns how many solutions this call found; <see cref="Finished"/>
    /// says whether there are more. Throws <see cref="MatchBudgetExceededException"/> when the match
    /// exceeds its budget (it is then finished).
    /// </summary>
    public long Next(Func<Atom, bool>? onResult, TimeSpan slice) =>
        Run(solution => _template is null || onResult is null || onResult(solution.Apply(_template)), slice);

    /// <summary>
    /// As <see cref="Next"/>, with each result encoded into <paramref name="results"/> until it holds
    /// <paramref name="pageBytes"/>. A template whose variables are bound to values read from keys is
    /// written by copying their bytes into it, without building the result as an atom.
    /// </summary>
    public long NextEncoded(EncodedAtomWriter results, int pageBytes, TimeSpan slice)
    {
        ArgumentNullException.ThrowIfNull(results);
        return Run(
            solution =>
            {
                if (_template is null)
                {
                    return true;
                }

                if (TemplatePlanFor(solution) is { } plan)
                {
                    // Filled first: it may grow the buffer. Past the writer's atom limit, appending throws
                    // OversizedAtomException, as encoding the atom would.
                    var length = plan.FillInto(solution, ref _result);
                    results.AppendAtom(_result.AsSpan(0, length));
                }
                else
                {
                    AtomEncoder.Append(solution.Apply(_template), results);
                }

                return results.Length < pageBytes;
            },
            slice);
    }

    private LevelPlan? TemplatePlanFor(Substitution solution)
    {
        _templateVariables ??= [.. Conjunct.VariablesOf(_template!).Distinct()];
        if (LevelPlan.BoundMask(_templateVariables, solution) is not { } bound)
        {
            return null;
        }

        return _templatePlan is { } plan && plan.Bound == bound
            ? plan
            : _templatePlan = LevelPlan.Make(_template!, _templateVariables, bound, index: false);
    }

    private long Run(Func<Substitution, bool> deliver, TimeSpan slice)
    {
        if (Finished)
        {
            return 0;
        }

        var started = Stopwatch.GetTimestamp();
        var found = 0L;

        // An argument index behind the space catches up first, for at most half the slice (through
        // the space's one catching-up step); the match walks the space's trie until it is complete.
        _space.CatchUpIndex(slice / 2);
        lock (_sync)
        {
            try
            {
                while (true)
                {
                    var work = WorkPerCheck;
                    while (work > 0)
                    {
                        if (_order is null)
                        {
                            Plan(ref work);
                            continue;
                        }

                        var step = Solve(ref work, out var solution);
                        if (step == WalkStep.Paused)
                        {
                            break;
                        }

                        if (step == WalkStep.Done)
                        {
                            Finished = true;
                            return found;
                        }

                        if (Solutions == _budget.MaxSolutions)
                        {
                            throw new MatchBudgetExceededException($"the match found more than {_budget.MaxSolutions:N0} solutions, the most one match may find");
                        }

                        Solutions++;
                        found++;
                        work--;
                        var wantsMore = deliver(solution!);
                        if (Solutions == _limit)
                        {
                            Finished = true;
                            return found;
                        }

                        if (!wantsMore)
                        {
                            return found;
                        }
                    }

                    var elapsed = Stopwatch.GetElapsedTime(started);
                    if (Work + elapsed > _budget.MaxWork)
                    {
                        throw new MatchBudgetExceededException(
                            $"the match worked for more than {_budget.MaxWork.TotalSeconds:N1} s, the most one match may ({Solutions:N0} solutions found by then)");
                    }

                    if (elapsed >= slice)
                    {
                        return found;
                    }
                }
            }
            catch (MatchBudgetExceededException)
            {
                Finished = true;
                throw;
            }
            finally
            {
                Work += Stopwatch.GetElapsedTime(started);
            }
        }
    }

    /// <summary>
    /// The planning phase, as far as <paramref name="work"/> goes: each conjunct of a conjunction
    /// matched alone and counted; once all are, the join order is chosen and the join started.
    /// </summary>
    private void Plan(ref int work)
    {
        while (_planned < _conjuncts.Count)
        {
            var conjunct = _conjuncts[_planned];
            var level = _levels[0];
            if (!_planStarted && _conjuncts.Take(_planned).FirstOrDefault(c => Atom.AlphaEquivalent(c.Pattern, conjunct.Pattern)) is { } same)
            {
                conjunct.CopyStatistics(same.Count, same.DistinctCounts());
                _planned++;
                continue;
            }

            if (!_planStarted && _space.StatisticsLocked.TryGet(conjunct.Key, _space.Trie.Count, out var count, out var distinct))
            {
                conjunct.CopyStatistics(count, distinct);
                _planned++;
                continue;
            }

            if (!_planStarted)
            {
                level.Start(conjunct.Pattern, Substitution.Empty);
                _planStarted = true;
            }

            var step = level.Next(ref work);
            if (step == WalkStep.Paused)
            {
                return;
            }

            if (step == WalkStep.Done)
            {
                Planned(conjunct);
                continue;
            }

            if (level.Solve(ref _renamed) is { } solution)
            {
                conjunct.Observe(solution);
                if (conjunct.Count == PlanSample && conjunct.CountWithoutWalking(_space) is { } total)
                {
                    // A sample is enough for the distinct values; the number is counted in the trie.
                    conjunct.Extrapolate(total);
                    Planned(conjunct);
                }
            }
        }

        StartJoin(JoinOrder(_conjuncts, _space.IndexCompleteLocked));
        foreach (var conjunct in _conjuncts)
        {
            conjunct.ForgetValues();
        }
    }

    /// <summary>One conjunct matched alone: its statistics are kept by the space for the next query that has it.</summary>
    private void Planned(Conjunct conjunct)
    {
        _space.StatisticsLocked.Remember(conjunct.Key, conjunct.Count, conjunct.DistinctCounts(), _space.Trie.Count);
        PatternsMatchedAlone++;
        _planned++;
        _planStarted = false;
    }

    private void StartJoin(List<Conjunct> order)
    {
        _order = order;
        if (order.Count > 0)
        {
            _levels[0].Start(order[0].Pattern, Substitution.Empty);
            _depth = 1;
        }
    }

    /// <summary>The join: nested walks, one level per pattern; the next complete solution, if any before the work runs out.</summary>
    private WalkStep Solve(ref int work, out Substitution? solution)
    {
        solution = null;
        if (_order!.Count == 0)
        {
            // The empty conjunction has one solution, binding nothing.
            if (Solutions > 0)
            {
                return WalkStep.Done;
            }

            solution = Substitution.Empty;
            return WalkStep.Candidate;
        }

        while (_depth > 0)
        {
            var level = _levels[_depth - 1];
            var step = level.Next(ref work);
            if (step == WalkStep.Paused)
            {
                return step;
            }

            if (step == WalkStep.Done)
            {
                _depth--;
                continue;
            }

            if (level.Solve(ref _renamed) is not { } extended)
            {
                continue;
            }

            if (_depth == _order.Count)
            {
                solution = extended;
                return WalkStep.Candidate;
            }

            _levels[_depth].Start(_order[_depth].Pattern, extended);
            _depth++;
        }

        return WalkStep.Done;
    }

    /// <summary>
    /// The order of a conjunction's patterns with the least estimated work. The trie is ordered by
    /// argument position, so a pattern walks cheaply only along its leading constants and bound
    /// variables; after its first unbound variable it enumerates. For pattern p, from its solutions
    /// alone: N solutions, and D(v) distinct values of each variable. Given the variables bound before
    /// it, p costs N ÷ Π D(v) over the bound variables that lead its walk, and yields N ÷ Π D(v) over
    /// all its bound variables per earlier row. Every order is costed (up to 7 patterns; beyond,
    /// greedily) and the cheapest wins — not the written order, as MORK does.
    /// </summary>
    private static List<Conjunct> JoinOrder(List<Conjunct> conjuncts, bool index)
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
