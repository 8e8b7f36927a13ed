using System.Diagnostics;
using OrleansKb.Atoms;
using OrleansKb.Codec;

namespace OrleansKb.Spaces;

/// <summary>
/// Many patterns matched one after the other as one match, each with its own template (or counted):
/// what a partition runs for the probes a coordinator joining a conjunction over a divided space
/// sends it (docs/cluster.md, "Partitioned spaces"). At most <c>limit</c> solutions in all; each
/// pattern is a <see cref="MatchCursor"/> under <c>budget</c>, opened when the one before it has finished.
/// </summary>
internal sealed class ProbeRun(AtomSpace space, IReadOnlyList<(Atom Pattern, Atom? Template)> probes, long limit, MatchBudget budget) : IMatchRun
{
    private int _next;
    private MatchCursor? _cursor;

    public long Solutions { get; private set; }

    public bool Finished => Solutions >= limit || (_cursor is null && _next == probes.Count);

    public long Count(TimeSpan slice) => Run(slice, (cursor, left) => cursor.Count(left), results: null, pageBytes: 0);

    public long NextEncoded(EncodedAtomWriter results, int pageBytes, TimeSpan slice) =>
        Run(slice, (cursor, left) => cursor.NextEncoded(results, pageBytes, left), results, pageBytes);

    private long Run(TimeSpan slice, Func<MatchCursor, TimeSpan, long> step, EncodedAtomWriter? results, int pageBytes)
    {
        var started = Stopwatch.GetTimestamp();
        var found = 0L;
        var lookups = !space.HoldsVariables;
        while (!Finished)
        {
            var left = slice - Stopwatch.GetElapsedTime(started);
            if (left <= TimeSpan.Zero || (results is not null && results.Length >= pageBytes))
            {
                break;
            }

            var (pattern, template) = probes[_next];
            if (_cursor is null && lookups && IsGround(pattern))
            {
                // With no stored variables a ground probe matches only itself: a lookup, not a walk.
                // (The last conjunct of a join is often such a filter, e.g. (female "@I7@").)
                if (space.Contains(pattern))
                {
                    if (template is not null && results is not null)
                    {
                        AtomEncoder.Append(template, results);
                    }

                    (Solutions, found) = (Solutions + 1, found + 1);
                }

                _next++;
                continue;
            }

            _cursor ??= space.OpenMatch(pattern, template, limit - Solutions, budget);
            var solutions = step(_cursor, left);
            (Solutions, found) = (Solutions + solutions, found + solutions);
            if (_cursor.Finished)
            {
                (_cursor, _next) = (null, _next + 1);
            }
        }

        return found;
    }

    private static bool IsGround(Atom pattern) => Conjunct.VariablesOf(pattern).Count == 0;
}
