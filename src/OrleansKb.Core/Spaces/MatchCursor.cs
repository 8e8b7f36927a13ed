using System.Diagnostics;
using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Text;

namespace OrleansKb.Spaces;

/// <summary>
/// One <c>match</c> in progress (docs/matching.md), run a slice at a time: each call to
/// <see cref="Next"/> finds solutions until its consumer has a page, its time slice is used, or the
/// match ends, and keeps its place for the next call. Nothing is computed ahead of the caller, and
/// what is kept between calls is bounded by the patterns and the trie's depth, not by the number of
/// solutions: a match of ten billion solutions costs the same memory as one of ten.
/// <para>
/// A conjunction <c>(, p1 … pn)</c> is first planned (<see cref="JoinPlanner"/>), then joined in the
/// order it chose, as nested trie walks. Each call runs as one step of the space
/// (<see cref="AtomSpace.Step"/>): under its lock, which other operations take between calls.
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

    private readonly AtomSpace _space;
    private readonly Atom? _template;
    private readonly long _limit;
    private readonly MatchBudget _budget;

    /// <summary>What this match may cost.</summary>
    internal MatchBudget Budget => _budget;
    private readonly List<Conjunct> _conjuncts;
    private readonly MatchLevel[] _levels;

    // Null for a match from nothing bound; else the rows of bindings the pattern is matched under, one after another.
    private readonly JoinRows? _rows;

    // The constant prefixes of the patterns a walk may take the argument index for: only while the index
    // does not cover one of them does the match spend its slices catching it up (a transform's own
    // writes keep its space's index behind; a copy, which never reads the index, is not to pay for that).
    private readonly byte[][] _indexedPrefixes;

    // Null for a single pattern (nothing to order); the join order once it is chosen.
    private readonly JoinPlanner? _planner;
    private List<Conjunct>? _order;
    private int _depth;
    private int _renamed;

    // The template's distinct variables, the plan last made for writing results as bytes, and its buffer.
    private List<string>? _templateVariables;
    private LevelPlan? _templatePlan;
    private byte[] _result = new byte[256];

    /// <param name="space">The space matched in.</param>
    /// <param name="pattern">An atom, or a conjunction <c>(, p1 … pn)</c>.</param>
    /// <param name="template">What each solution gives; null to count only.</param>
    /// <param name="limit">The most solutions.</param>
    /// <param name="budget">The most solutions and work.</param>
    /// <param name="rows">
    /// Null to match <paramref name="pattern"/> as it stands; else the pattern (one, not a conjunction) is
    /// matched under each row's bindings in turn, as a level of a join over a divided space (the
    /// solutions of all rows are the match's).
    /// </param>
    internal MatchCursor(AtomSpace space, Atom pattern, Atom? template, long limit, MatchBudget budget, JoinRows? rows = null)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ArgumentNullException.ThrowIfNull(budget);
        budget.Validate();
        _space = space;
        _template = template;
        _limit = limit;
        _budget = budget;
        _conjuncts = Conjunct.IsConjunction(pattern)
            ? [.. ((ExpressionAtom)pattern).Children[1..].ToArray().Select(c => new Conjunct(c))]
            : [new Conjunct(pattern)];
        if (rows is not null && _conjuncts.Count != 1)
        {
            throw new ArgumentException("a match under rows of bindings has one pattern", nameof(pattern));
        }

        _levels = [.. _conjuncts.Select(_ => new MatchLevel())];
        _planner = _conjuncts.Count > 1 ? new JoinPlanner(_conjuncts) : null;
        _rows = rows;
        _indexedPrefixes = [.. _conjuncts
            .Where(c => LevelPlan.IndexPosition(c.Pattern, rows?.Variables ?? _conjuncts.Where(other => other != c).SelectMany(other => other.Variables)) > 0)
            .Select(c => c.ConstantPrefix)];
        Finished = limit == 0;
    }

    /// <summary>Solutions found so far.</summary>
    public long Solutions { get; private set; }

    /// <summary>True once every solution has been found (or the limit reached, or the budget exceeded).</summary>
    public bool Finished { get; private set; }

    /// <summary>How many of the conjunction's patterns this match has matched alone to plan (the others' statistics were known).</summary>
    internal int PatternsMatchedAlone => _planner?.PatternsMatchedAlone ?? 0;

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

    /// <summary>Counts solutions for at most about <paramref name="slice"/> (whatever the template); returns how many this call found.</summary>
    public long Count(TimeSpan slice) => Next(null, slice);

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
                    // OversizedAtomException, as encoding the atom would: named here, by an excerpt.
                    var length = plan.FillInto(solution, ref _result);
                    if (length > results.AtomLimit)
                    {
                        throw new OversizedAtomException(
                            $"{AtomDecoder.Excerpt(_result.AsSpan(0, length))} encodes to {length:N0} bytes, more than {results.AtomLimit:N0}, the limit for one atom")
                        { Limit = results.AtomLimit };
                    }

                    results.AppendAtom(_result.AsSpan(0, length));
                }
                else
                {
                    try
                    {
                        AtomEncoder.Append(solution.Apply(_template), results);
                    }
                    catch (OversizedAtomException e)
                    {
                        throw new OversizedAtomException($"an instance of {MettaPrinter.Print(_template)}: {e.Message}", e) { Limit = e.Limit };
                    }
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

        // An argument index behind the space catches up first, for at most half the slice (through
        // the space's one catching-up step); the match walks the space's trie until it covers its patterns.
        var started = Stopwatch.GetTimestamp();
        if (_indexedPrefixes.Length > 0)
        {
            _space.CatchUpIndex(slice / 2, _indexedPrefixes);
        }

        return _space.Step((Cursor: this, Deliver: deliver, Slice: slice, Started: started), static (view, call) => call.Cursor.RunStep(view, call.Deliver, call.Slice, call.Started));
    }

    /// <summary>One call's work, under the space's lock, until <paramref name="slice"/> has passed since <paramref name="started"/>.</summary>
    private long RunStep(in MatchView view, Func<Substitution, bool> deliver, TimeSpan slice, long started)
    {
        var found = 0L;
        try
        {
            while (true)
            {
                var work = WorkPerCheck;
                while (work > 0)
                {
                    if (_order is null)
                    {
                        if ((_planner is null ? _conjuncts : _planner.Plan(ref work, _levels[0], view, ref _renamed)) is { } order)
                        {
                            StartJoin(order, view);
                        }

                        continue;
                    }

                    var step = Solve(ref work, view, out var solution);
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

    private void StartJoin(List<Conjunct> order, in MatchView view)
    {
        _order = order;
        if (order.Count > 0 && _rows is null)
        {
            _levels[0].Start(order[0].Pattern, Substitution.Empty, view);
            _depth = 1;
        }
    }

    /// <summary>The join: nested walks, one level per pattern; the next complete solution, if any before the work runs out.</summary>
    private WalkStep Solve(ref int work, in MatchView view, out Substitution? solution)
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

        while (true)
        {
            if (_depth == 0)
            {
                // Matched under every row so far: the next row's bindings start the first level again.
                if (_rows is null || !_rows.TryNext(out var row))
                {
                    return WalkStep.Done;
                }

                _levels[0].Start(_order[0].Pattern, row, view);
                _depth = 1;
                if (--work <= 0)
                {
                    return WalkStep.Paused;
                }
            }

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

            _levels[_depth].Start(_order[_depth].Pattern, extended, view);
            _depth++;
        }
    }
}
