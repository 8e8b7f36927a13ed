using System.Diagnostics;
using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Diagnostics;

namespace OrleansKb.Spaces;

/// <summary>
/// The matches open on one space (docs/matching.md, "Through the cluster"), each run only as its
/// client asks for pages, one bounded slice per page: nothing is computed ahead, other work goes on
/// between pages, and a match whose client stops asking is closed by <see cref="CloseIdle"/>. Every
/// refusal is a <see cref="MatchStoppedException"/> naming the space. One caller at a time (a grain's turns).
/// </summary>
public sealed class MatchSessions(string space, AtomSpace atoms, MatchSessionLimits limits, TimeProvider? time = null)
{
    private readonly Dictionary<long, MatchSession> _open = [];
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private long _lastId;

    /// <summary>How the matches run.</summary>
    public MatchSessionLimits Limits => limits;

    /// <summary>The matches open now.</summary>
    public int Count => _open.Count;

    /// <summary>The matches opened so far (what <c>info</c> reports as served).</summary>
    public long Served { get; private set; }

    /// <summary>
    /// Starts a match of <paramref name="pattern"/> (counting only, without a <paramref name="template"/>)
    /// for at most <paramref name="limit"/> solutions, and returns its first page of about <paramref name="pageBytes"/>;
    /// within <paramref name="budget"/> if given (a transform's), else the limits' budget.
    /// </summary>
    public MatchSessionPage Open(Atom pattern, Atom? template, long limit, int pageBytes, MatchBudget? budget = null) =>
        Opened(atoms.OpenMatch(pattern, template, limit, budget ?? limits.Budget), template is null, pageBytes);

    /// <summary>
    /// Starts a match of one level of a join over a divided space (docs/cluster.md, "Partitioned
    /// spaces") and returns its first page: <paramref name="level"/> is an encoded
    /// <c>(VARIABLES PATTERN)</c> — the conjunction's variables, and the conjunct this level matches —
    /// and <paramref name="template"/> its template, sharing their variables as a match's query does
    /// (empty to count only); the pattern is matched under each of <paramref name="rows"/>' bindings of
    /// the variables in turn (<see cref="JoinRows"/>), at most <paramref name="limit"/> solutions in all.
    /// The rows' bytes are read as the match runs: the caller leaves them as they are until it ends.
    /// Within <paramref name="budget"/> if given (a transform's), else the limits' budget.
    /// </summary>
    public MatchSessionPage OpenRows(ReadOnlySpan<byte> level, ReadOnlySpan<byte> template, ReadOnlyMemory<byte> rows, long limit, int pageBytes, MatchBudget? budget = null)
    {
        var (pair, decodedTemplate) = AtomDecoder.DecodeQuery(level, template);
        if (pair is not ExpressionAtom { Count: 2 } levelAtom || levelAtom[0] is not ExpressionAtom variables || variables.Children.ToArray() is var named && (named.Any(v => v is not VariableAtom) || named.Distinct().Count() != named.Length))
        {
            throw new ArgumentException("a level of a join is (VARIABLES PATTERN), VARIABLES an expression of distinct variables", nameof(level));
        }

        // Checked once here; the match then reads the rows without checking them again.
        AtomDecoder.CountAtoms(rows.Span);
        return Opened(new MatchCursor(atoms, levelAtom[1], decodedTemplate, limit, budget ?? limits.Budget, new JoinRows(variables, rows)), decodedTemplate is null, pageBytes);
    }

    private MatchSessionPage Opened(MatchCursor run, bool countOnly, int pageBytes)
    {
        if (_open.Count >= limits.MaxOpen)
        {
            throw new MatchStoppedException(
                $"space '{space}' already has {_open.Count} matches open, the most it allows (Match:MaxOpenPerSpace); finish or cancel one, or wait: one left without requests closes after {limits.IdleTimeout.TotalSeconds:N0} s");
        }

        Served++;
        var session = new MatchSession(++_lastId, run, countOnly, pageBytes, _time.GetTimestamp());
        _open.Add(session.Id, session);
        return NextPage(session);
    }

    /// <summary>The next page of an open match.</summary>
    public MatchSessionPage Next(long id) => _open.TryGetValue(id, out var session)
        ? NextPage(session)
        : throw new MatchStoppedException(
            $"match {id} is not open on space '{space}': it has finished, was cancelled, or waited more than {limits.IdleTimeout.TotalSeconds:N0} s (Match:IdleSeconds) for its next page request");

    /// <summary>Stops a match (nothing happens if it is not open).</summary>
    public void Close(long id) => _open.Remove(id);

    /// <summary>Closes every match whose last page was asked for more than the idle timeout ago.</summary>
    public void CloseIdle()
    {
        foreach (var session in _open.Values.Where(m => _time.GetElapsedTime(m.LastRequest) > limits.IdleTimeout).ToList())
        {
            Close(session.Id);
        }
    }

    /// <summary>
    /// One slice of an open match: solutions until the page is full, the slice is used, or the match
    /// ends. A match that runs out of budget first returns the page of what it found, then fails on
    /// the next request: the caller gets every solution up to the budget.
    /// </summary>
    private MatchSessionPage NextPage(MatchSession session)
    {
        if (session.Failure is { } failure)
        {
            Close(session.Id);
            throw failure;
        }

        // As large as the last page: small for a match whose pages hold a few results (a point query's,
        // a join's probe's), a page's size at once for one that streams full pages instead of growing to it.
        var results = new EncodedAtomWriter(Math.Min(session.LastPageBytes + 4096, session.PageBytes + 4096)) { AtomLimit = limits.MaxResultBytes };
        var before = session.Run.Solutions;
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (session.CountOnly)
            {
                session.Run.Count(limits.Slice);
            }
            else
            {
                session.Run.NextEncoded(results, session.PageBytes, limits.Slice);
            }
        }
        catch (MatchBudgetExceededException e)
        {
            session.Failure = new MatchStoppedException(
                $"space '{space}': {e.Message}; {session.Run.Budget.Advice}");
        }
        catch (OversizedAtomException e)
        {
            // The page ends in part of the result that failed: nothing of it is sent.
            Close(session.Id);
            throw new MatchStoppedException($"space '{space}': the match stopped at a result too large to send: {e.Message}");
        }
        catch
        {
            // Whatever else stops a match, it must not stay open.
            Close(session.Id);
            throw;
        }

        var found = session.Run.Solutions - before;
        KbMetrics.MatchPage(started, found);
        if (session.Failure is not null && found == 0)
        {
            return NextPage(session);
        }

        session.LastRequest = _time.GetTimestamp();
        session.LastPageBytes = results.Length;
        var finished = session.Run.Finished && session.Failure is null;
        if (finished)
        {
            Close(session.Id);
        }

        return new MatchSessionPage(finished ? 0 : session.Id, results.WrittenMemory, results.AtomCount, found);
    }
}
