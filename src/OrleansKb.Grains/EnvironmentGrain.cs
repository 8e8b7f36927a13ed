using System.Diagnostics;
using Microsoft.Extensions.Options;
using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Spaces;
using Environment = OrleansKb.Spaces.Environment;

namespace OrleansKb.Grains;

/// <summary>
/// A thin owner of one <see cref="Environment"/>. Each call is one turn of the grain, the space's
/// only critical section: validate the whole batch, then apply it. No blocking and no parallel loops
/// in the turn — the client has already done the encoding, in parallel, on its own cores.
/// <para>
/// A match runs only as its client asks for pages, one bounded turn per page (<see cref="MatchOptions"/>):
/// nothing is computed ahead, other calls are served between pages, and a match whose client stops
/// asking is closed after <see cref="MatchOptions.IdleSeconds"/>.
/// </para>
/// The space lives in memory for as long as the silo runs: <see cref="KeepAliveAttribute"/> keeps
/// an idle grain from being deactivated and losing it.
/// </summary>
[KeepAlive]
internal sealed class EnvironmentGrain(IOptions<MatchOptions> matchOptions, ILocalSiloDetails silo) : Grain, IEnvironmentGrain
{
    // A cleared space this large gives its memory back to the machine at once (Clear).
    private const long ReleaseAfterClearBytes = 64L << 20;

    private readonly Environment _environment = new();
    private readonly MatchOptions _options = matchOptions.Value;
    private readonly Dictionary<long, OpenMatch> _matches = [];
    private long _lastMatchId;
    private IGrainTimer? _idleCheck;

    private string Name => this.GetPrimaryKeyString();

    public Task<int> AddFacts(AtomBatch batch) => Checked(batch, bytes => _environment.AddEncoded(bytes.Span));

    public Task<int> AddRules(AtomBatch batch) => Checked(batch, bytes => _environment.AddEncodedRules(bytes.Span));

    public Task<int> Remove(AtomBatch batch) => Checked(batch, bytes => _environment.RemoveEncoded(bytes.Span));

    public Task<bool[]> Contains(AtomBatch batch) => Checked(batch, bytes => _environment.ContainsEncoded(bytes.Span));

    public Task<long> Count() => Task.FromResult(_environment.Count);

    public Task<AtomBatch> ExportPage(ReadOnlyMemory<byte> after, int maxBytes)
    {
        var page = new EncodedAtomWriter(Math.Clamp(maxBytes, 1024, SpaceLimits.MaxBatchBytes));
        var count = _environment.ExportEncoded(after.Span, Math.Clamp(maxBytes, 1, SpaceLimits.MaxBatchBytes), page);
        return Task.FromResult(new AtomBatch(page.WrittenMemory, count));
    }

    public Task<RulesPage> RulesPage(string head, int arity, long from, int maxBytes)
    {
        var rules = new EncodedAtomWriter(4096);
        var next = _environment.MatchingRulesEncoded(head, arity, from, Math.Clamp(maxBytes, 1, SpaceLimits.MaxBatchBytes), rules);
        return Task.FromResult(new RulesPage(new AtomBatch(rules.WrittenMemory, rules.AtomCount), next));
    }

    public Task<MatchPage> MatchOpen(AtomBatch query, MatchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Limit);
        var atom = Validated(query, bytes => AtomDecoder.Decode(bytes.Span));
        var (pattern, template) = request.CountOnly
            ? (atom, null)
            : atom is ExpressionAtom { Count: 2 } pair
                ? (pair[0], pair[1])
                : throw new InvalidAtomBatchException("A match query is one atom (PATTERN TEMPLATE).");
        if (_matches.Count >= _options.MaxOpenPerSpace)
        {
            throw new MatchFailedException(
                $"space '{Name}' already has {_matches.Count} matches open, the most it allows (Match:MaxOpenPerSpace); finish or cancel one, or wait: one left without requests closes after {_options.IdleSeconds:N0} s");
        }

        var budget = new MatchBudget(_options.MaxSolutions, TimeSpan.FromSeconds(_options.MaxSeconds));
        var cursor = _environment.OpenMatch(pattern, template, request.Limit, budget);
        var open = new OpenMatch(++_lastMatchId, cursor, request.CountOnly, Math.Clamp(request.PageBytes, 1024, SpaceLimits.MaxBatchBytes));
        _matches.Add(open.Id, open);
        _idleCheck ??= this.RegisterGrainTimer(CloseIdleMatches, new GrainTimerCreationOptions(IdleCheckPeriod, IdleCheckPeriod) { KeepAlive = false });
        return Task.FromResult(NextPage(open));
    }

    public Task<MatchPage> MatchNext(long cursor) => _matches.TryGetValue(cursor, out var open)
        ? Task.FromResult(NextPage(open))
        : throw new MatchFailedException(
            $"match {cursor} is not open on space '{Name}': it has finished, was cancelled, or waited more than {_options.IdleSeconds:N0} s (Match:IdleSeconds) for its next page request");

    public Task MatchClose(long cursor)
    {
        Close(cursor);
        return Task.CompletedTask;
    }

    public Task<SpaceInfo> Info() => Task.FromResult(new SpaceInfo(
        Name, _environment.Count, _environment.RuleCount, silo.SiloAddress.Endpoint.ToString(), _matches.Count));

    public Task Clear()
    {
        var held = _environment.Memory.AllocatedBytes;
        _environment.Clear();
        if (held >= ReleaseAfterClearBytes && held >= GC.GetGCMemoryInfo().HeapSizeBytes - held)
        {
            // Dropping the arenas makes them garbage, but the GC keeps the memory for reuse unless
            // asked: a space cleared of a large share of the silo's memory gives it back to the
            // machine now. This compacts the whole heap once, which pauses the silo for a time that
            // grows with what stays live — at most what was freed, by the condition above (measured:
            // 31 ms after clearing 3 million atoms). A small space in a large silo is left to the GC.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// One turn of an open match: solutions until the page is full, the slice is used, or the match
    /// ends. A match that runs out of budget first returns the page of what it found, then fails on
    /// the next request: the caller gets every solution up to the budget.
    /// </summary>
    private MatchPage NextPage(OpenMatch open)
    {
        if (open.Failure is { } failure)
        {
            Close(open.Id);
            throw failure;
        }

        var results = new EncodedAtomWriter(Math.Min(open.PageBytes + 4096, 1 << 16)) { AtomLimit = SpaceLimits.MaxAtomBytes };
        var before = open.Cursor.Solutions;
        try
        {
            open.Cursor.Next(
                open.CountOnly ? null : result =>
                {
                    AtomEncoder.Append(result, results);
                    return results.Length < open.PageBytes;
                },
                _options.Slice);
        }
        catch (MatchBudgetExceededException e)
        {
            open.Failure = new MatchFailedException(
                $"space '{Name}': {e.Message}; narrow the pattern, ask for fewer results, or raise the silo's budget (Match:MaxSolutions, Match:MaxSeconds)");
        }
        catch (OversizedAtomException e)
        {
            // The page ends in part of the result that failed: nothing of it is sent.
            Close(open.Id);
            throw new MatchFailedException($"space '{Name}': the match stopped at a result too large to send: {e.Message}");
        }
        catch
        {
            // Whatever else stops a match, it must not stay open.
            Close(open.Id);
            throw;
        }

        var found = open.Cursor.Solutions - before;
        if (open.Failure is not null && found == 0)
        {
            return NextPage(open);
        }

        open.LastRequest = Stopwatch.GetTimestamp();
        var finished = open.Cursor.Finished && open.Failure is null;
        if (finished)
        {
            Close(open.Id);
        }

        return new MatchPage(finished ? 0 : open.Id, new AtomBatch(results.WrittenMemory, results.AtomCount), found);
    }

    private TimeSpan IdleCheckPeriod => TimeSpan.FromSeconds(Math.Clamp(_options.IdleSeconds / 4, 0.25, 15));

    private Task CloseIdleMatches()
    {
        foreach (var open in _matches.Values.Where(m => Stopwatch.GetElapsedTime(m.LastRequest) > _options.IdleTimeout).ToList())
        {
            Close(open.Id);
        }

        return Task.CompletedTask;
    }

    private void Close(long id)
    {
        _matches.Remove(id);
        if (_matches.Count == 0 && _idleCheck is not null)
        {
            _idleCheck.Dispose();
            _idleCheck = null;
        }
    }

    private static Task<T> Checked<T>(AtomBatch batch, Func<ReadOnlyMemory<byte>, T> operation) => Task.FromResult(Validated(batch, operation));

    /// <summary>Runs an operation on a batch, turning the core's refusals into an exception every client can deserialise.</summary>
    private static T Validated<T>(AtomBatch batch, Func<ReadOnlyMemory<byte>, T> operation)
    {
        try
        {
            return operation(batch.Bytes);
        }
        catch (Exception e) when (e is MalformedEncodingException or ArgumentException)
        {
            throw new InvalidAtomBatchException(e.Message);
        }
    }

    /// <summary>A match between two page requests.</summary>
    private sealed class OpenMatch(long id, MatchCursor cursor, bool countOnly, int pageBytes)
    {
        public long Id { get; } = id;

        public MatchCursor Cursor { get; } = cursor;

        public bool CountOnly { get; } = countOnly;

        public int PageBytes { get; } = pageBytes;

        public long LastRequest { get; set; } = Stopwatch.GetTimestamp();

        /// <summary>Why the match stopped part way, told on the request after the page of what it found.</summary>
        public MatchFailedException? Failure { get; set; }
    }
}
