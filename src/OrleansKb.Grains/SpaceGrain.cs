using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Placement;
using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Diagnostics;
using OrleansKb.Persistence;
using OrleansKb.Spaces;

namespace OrleansKb.Grains;

/// <summary>
/// A space: a thin owner of one <see cref="AtomSpace"/> and of the space's store (docs/durability.md).
/// <para>
/// A change is validated whole, appended to the log, applied to memory, and acknowledged once the
/// append is durable. The grain is reentrant: memory changes only inside a turn, and the only waits
/// are for durability, so batches that arrive while one is being flushed are appended and applied
/// meanwhile and made durable by the next flush together (group commit). A failed append fails the
/// call and deactivates the space, whose next activation recovers exactly what is durable.
/// </para>
/// <para>
/// On activation the space recovers its newest snapshot and the log after it. Snapshots are taken in
/// the background once the log has grown by <see cref="DurabilityOptions.SnapshotLogBytes"/>, a page
/// at a time (<see cref="SpaceCheckpoint"/>), without holding the space.
/// </para>
/// <para>
/// A match runs only as its client asks for pages, one bounded turn per page (<see cref="MatchOptions"/>):
/// nothing is computed ahead, other calls are served between pages, and a match whose client stops
/// asking is closed after <see cref="MatchOptions.IdleSeconds"/>.
/// </para>
/// </summary>
internal abstract class SpaceGrain(
    IOptions<MatchOptions> matchOptions,
    IOptions<DurabilityOptions> durabilityOptions,
    ILocalSiloDetails silo,
    ISpaceStore store,
    ILogger logger) : Grain
{
    // A cleared space this large gives its memory back to the machine at once (Clear).
    private const long ReleaseAfterClearBytes = 64L << 20;

    // The argument index catches up once the space has had no change for a moment (a load is over),
    // in turns this long, this far apart: the space's calls go between them.
    private static readonly TimeSpan IndexingQuiet = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan IndexingTurn = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan IndexingPause = TimeSpan.FromMilliseconds(5);

    private readonly AtomSpace _environment = new();
    private readonly MatchOptions _options = matchOptions.Value;
    private readonly DurabilityOptions _durability = durabilityOptions.Value;
    private readonly Dictionary<long, OpenMatch> _matches = [];
    private long _lastMatchId;
    private IGrainTimer? _idleCheck;
    private IGrainTimer? _indexing;
    private long _lastChange;
    private IStoredSpace? _stored;
    private long _sequence;
    private long _logBytesSinceSnapshot;
    private Task _snapshot = Task.CompletedTask;
    private long _snapshotSequence = -1;
    private Exception? _failure;
    private double _recoveryMs;

    private string Name => this.GetPrimaryKeyString();

    private IStoredSpace Stored => _stored ?? throw new InvalidOperationException("the space is not open");

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        try
        {
            _stored = await store.OpenAsync(Name, cancellationToken);
            var recovery = _environment.StartRecovery();
            var stopwatch = Stopwatch.StartNew();
            _sequence = await _stored.RecoverAsync(recovery, cancellationToken);
            recovery.Finish();
            _recoveryMs = stopwatch.Elapsed.TotalMilliseconds;
            KbMetrics.Recovered(stopwatch.Elapsed);

            // The log since the snapshot counts toward the next one, whichever activation wrote it.
            _logBytesSinceSnapshot = recovery.BytesReplayed;
            if (!_environment.IndexIsComplete)
            {
                IndexInTheBackground();
            }
            if (_sequence > 0)
            {
                SpaceLog.Recovered(logger, Name, store.Description, _environment.Count, recovery.SnapshotAtomCount, recovery.RecordsReplayed, stopwatch.ElapsedMilliseconds);
            }
        }
        catch (Exception e) when (e is StoreCorruptedException or IOException or UnauthorizedAccessException)
        {
            throw new SpaceStorageException($"space '{Name}' cannot be opened from {store.Description}: {e.Message}") { Damaged = e is StoreCorruptedException };
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_stored is not null)
        {
            await _snapshot.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            await _stored.DisposeAsync();
        }
    }

    public Task<int> AddFacts(AtomBatch batch) => Change(LogOperation.AddFacts, batch);

    public Task<int> AddRules(AtomBatch batch) => Change(LogOperation.AddRules, batch);

    public Task<int> Remove(AtomBatch batch) => Change(LogOperation.Remove, batch);

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

    public Task<SpaceInfo> Info()
    {
        var stats = Stored.Stats;
        return Task.FromResult(new SpaceInfo(
            Name, _environment.Count, _environment.RuleCount, store.Description, silo.SiloAddress.Endpoint.ToString(),
            stats.LogBytes, stats.SnapshotAtoms, stats.SnapshotSequence, _matches.Count, Stored.Epoch, _recoveryMs,
            _environment.Memory.LiveBytes, _environment.IndexMemory.LiveBytes));
    }

    public Task Unload()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public async Task<SpaceInfo> Snapshot()
    {
        // One at a time: wait for any running (it may have begun before changes this caller expects
        // covered) — and, as the grain is reentrant, for any another caller started meanwhile.
        while (!_snapshot.IsCompleted)
        {
            await _snapshot.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }

        if (store.KeepsSpaces && (_snapshotSequence != _sequence || !_snapshot.IsCompletedSuccessfully))
        {
            try
            {
                await StartSnapshot();
            }
            catch (Exception e) when (e is IOException or StaleEpochException or UnauthorizedAccessException)
            {
                throw new SpaceStorageException($"space '{Name}': the snapshot failed ({e.Message}); the log still holds every change");
            }
        }

        return await Info();
    }

    public async Task Clear()
    {
        // The argument index is as large as the trie, give or take: both go with a clear.
        var held = _environment.Memory.AllocatedBytes + _environment.IndexMemory.AllocatedBytes;
        await Change(LogOperation.Clear, AtomBatch.Empty);
        ReleaseMemory(held);
    }

    private static void ReleaseMemory(long held)
    {
        if (held >= ReleaseAfterClearBytes && 4 * held >= GC.GetGCMemoryInfo().HeapSizeBytes)
        {
            // Dropping the arenas makes them garbage, but the GC keeps the memory for reuse unless
            // asked: a space cleared of a large share of the silo's memory (a quarter of its heap or
            // more: the heap as the last collection left it, garbage of a recent load included) gives
            // it back to the machine now. This compacts the whole heap once, which pauses the silo for
            // a time that grows with what stays live — at most three times what was freed, by the
            // condition above (about 30 ms after clearing 3 million atoms: docs/cluster.md). A small
            // space in a large silo is left to the GC.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
    }

    /// <summary>
    /// A change: validated whole, appended to the log, applied to memory — all in this turn, so the
    /// log's order is memory's order — then acknowledged once the append is durable.
    /// </summary>
    private async Task<int> Change(LogOperation operation, AtomBatch batch)
    {
        if (_failure is not null)
        {
            throw Unavailable(_failure);
        }

        var turn = Stopwatch.GetTimestamp();
        var change = Validated(batch, bytes => _environment.Validate(operation, bytes.Span));
        Task durable;
        int applied;
        var appended = Stopwatch.GetTimestamp();
        using (change)
        {
            try
            {
                durable = Stored.Append(new LogRecord(_sequence + 1, operation, change.Atoms));
            }
            catch (Exception e) when (e is StaleEpochException or IOException)
            {
                throw Failed(e);
            }

            _sequence++;
            _logBytesSinceSnapshot += change.Atoms.Length;
            try
            {
                applied = change.Apply();
            }
            catch (Exception e)
            {
                // Logged but not in memory: this activation no longer matches its log.
                throw Failed(e);
            }
        }

        _lastChange = Stopwatch.GetTimestamp();
        if (!_environment.IndexIsComplete)
        {
            IndexInTheBackground();
        }

        if (store.KeepsSpaces && _logBytesSinceSnapshot >= _durability.SnapshotLogBytes && _snapshot.IsCompleted)
        {
            try
            {
                // In the background; a failure is logged (WriteSnapshot) and the next snapshot tries again.
                _ = StartSnapshot().ContinueWith(t => t.Exception, TaskScheduler.Default);
            }
            catch (Exception e) when (e is IOException or StaleEpochException)
            {
                // The log has failed: awaiting this change's durability below reports it.
                SpaceLog.SnapshotFailed(logger, e, Name, _sequence);
            }
        }

        KbMetrics.TurnEnded(operation, turn);
        try
        {
            await durable;
        }
        catch (Exception e)
        {
            throw Failed(e);
        }

        KbMetrics.AppendDurable(appended);
        KbMetrics.BatchApplied(operation, batch.Bytes.Length, applied);
        return applied;
    }

    /// <summary>
    /// Lets the argument index catch up with the space (after a load or a recovery, docs/matching.md)
    /// in short turns of its own, between the space's other calls, until it is complete.
    /// </summary>
    private void IndexInTheBackground()
    {
        _indexing ??= this.RegisterGrainTimer(
            () =>
            {
                if (Stopwatch.GetElapsedTime(_lastChange) < IndexingQuiet)
                {
                    return Task.CompletedTask;
                }

                if (_environment.CatchUpIndex(IndexingTurn))
                {
                    _indexing?.Dispose();
                    _indexing = null;
                }

                return Task.CompletedTask;
            },
            new GrainTimerCreationOptions(TimeSpan.Zero, IndexingPause) { KeepAlive = false, Interleave = true });
    }

    /// <summary>The store failed after memory changed: memory is ahead of what is durable, so this activation must go; the next recovers.</summary>
    private SpaceStorageException Failed(Exception cause)
    {
        _failure ??= cause;
        SpaceLog.StoreFailed(logger, cause, Name);
        DeactivateOnIdle();
        return Unavailable(cause);
    }

    private SpaceStorageException Unavailable(Exception cause) =>
        new($"space '{Name}' could not make a change durable ({cause.Message}); the change was not acknowledged, and the space will recover what is durable");

    /// <summary>Starts a snapshot in the background (in this turn: the last record and the rules are taken now).</summary>
    private Task StartSnapshot()
    {
        var checkpoint = SpaceCheckpoint.Begin(_environment, Stored, _sequence);
        _logBytesSinceSnapshot = 0;
        _snapshotSequence = _sequence;
        return _snapshot = WriteSnapshot(checkpoint);
    }

    private async Task WriteSnapshot(SpaceCheckpoint checkpoint)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var atoms = await checkpoint.WriteAsync();
            SpaceLog.SnapshotWritten(logger, Name, atoms, checkpoint.Sequence, stopwatch.ElapsedMilliseconds);
            KbMetrics.SnapshotWritten(stopwatch.Elapsed);
        }
        catch (Exception e) when (e is IOException or StaleEpochException or UnauthorizedAccessException)
        {
            // The log still holds everything: the next snapshot will try again.
            SpaceLog.SnapshotFailed(logger, e, Name, checkpoint.Sequence);
            throw;
        }
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
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (open.CountOnly)
            {
                open.Cursor.Next(null, _options.Slice);
            }
            else
            {
                open.Cursor.NextEncoded(results, open.PageBytes, _options.Slice);
            }
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
        KbMetrics.MatchPage(started, found);
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

/// <summary>A durable space, in the silo's store (a data directory by default).</summary>
// A space may hold gigabytes: it stays where it was activated (no rebalancing or repartitioning
// moves it between live silos); it moves only when its silo fails, by recovery from the store.
[Immovable]
[KeepAlive]
[Reentrant]
[GrainType("environment")]
internal sealed class EnvironmentGrain(
    IOptions<MatchOptions> matchOptions,
    IOptions<DurabilityOptions> durabilityOptions,
    ILocalSiloDetails silo,
    ISpaceStore store,
    ILogger<EnvironmentGrain> logger)
    : SpaceGrain(matchOptions, durabilityOptions, silo, store, logger), IEnvironmentGrain;

/// <summary>An ephemeral space, in the silo's memory only.</summary>
[Immovable]
[KeepAlive]
[Reentrant]
[GrainType("ephemeral-environment")]
internal sealed class EphemeralEnvironmentGrain(
    IOptions<MatchOptions> matchOptions,
    IOptions<DurabilityOptions> durabilityOptions,
    ILocalSiloDetails silo,
    [FromKeyedServices(SpaceStores.Ephemeral)] ISpaceStore store,
    ILogger<EphemeralEnvironmentGrain> logger)
    : SpaceGrain(matchOptions, durabilityOptions, silo, store, logger), IEphemeralEnvironmentGrain;
