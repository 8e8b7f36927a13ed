using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Placement;
using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Persistence;
using OrleansKb.Spaces;

namespace OrleansKb.Grains;

/// <summary>
/// A space's grain (<see cref="EnvironmentGrain"/>, <see cref="EphemeralEnvironmentGrain"/>): the
/// thin owner of its <see cref="DurableSpace"/> (store, log, snapshots, recovery) and its
/// <see cref="MatchSessions"/>. It forwards calls, runs the timers (the argument index catching up,
/// idle matches closed), and turns the core's refusals into the exceptions the wire carries. The
/// grain is reentrant: memory changes only inside a turn, and the only waits are for durability
/// (docs/durability.md).
/// </summary>
// A space may hold gigabytes: it stays where it was activated (no rebalancing or repartitioning
// moves it between live silos); it moves only when its silo fails, by recovery from the store.
// Orleans reads these three from a grain class's base classes too.
[Immovable]
[KeepAlive]
[Reentrant]
internal abstract class EnvironmentGrainBase(
    IOptions<MatchOptions> matchOptions,
    IOptions<DurabilityOptions> durabilityOptions,
    ILocalSiloDetails silo,
    ISpaceStore store,
    ILogger logger) : Grain
{
    // The argument index catches up in short turns this far apart: the space's calls go between them.
    private static readonly TimeSpan IndexingPause = TimeSpan.FromMilliseconds(5);

    private readonly MatchOptions _match = matchOptions.Value;
    private DurableSpace? _space;
    private MatchSessions? _matches;
    private IGrainTimer? _idleCheck;
    private IGrainTimer? _indexing;

    private string Name => this.GetPrimaryKeyString();

    private DurableSpace Space => _space ?? throw new InvalidOperationException("the space is not open");

    private MatchSessions Matches => _matches ?? throw new InvalidOperationException("the space is not open");

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        try
        {
            var events = new SpaceEvents(logger, Name, store.Description, DeactivateOnIdle);
            _space = await DurableSpace.OpenAsync(Name, store, durabilityOptions.Value.SnapshotLogBytes, events, cancellationToken: cancellationToken);
        }
        catch (StoreFailedException e)
        {
            throw new SpaceStorageException(e.Message);
        }

        var budget = new MatchBudget(_match.MaxSolutions, TimeSpan.FromSeconds(_match.MaxSeconds));
        _matches = new MatchSessions(Name, _space.Atoms, new MatchSessionLimits(budget, _match.Slice, _match.IdleTimeout, _match.MaxOpenPerSpace, SpaceLimits.MaxAtomBytes));
        IndexInTheBackground();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_space is not null)
        {
            await _space.CloseAsync(cancellationToken);
        }
    }

    public Task<int> AddFacts(AtomBatch batch) => Change(space => space.AddFactsAsync(batch.Bytes));

    public Task<int> AddRules(AtomBatch batch) => Change(space => space.AddRulesAsync(batch.Bytes));

    public Task<int> Remove(AtomBatch batch) => Change(space => space.RemoveAsync(batch.Bytes));

    public Task Clear() => Change(space => space.ClearAsync());

    public Task<bool[]> Contains(AtomBatch batch) => Task.FromResult(Validated(batch, bytes => Space.Atoms.ContainsEncoded(bytes.Span)));

    public Task<long> Count() => Task.FromResult(Space.Atoms.Count);

    public Task<AtomBatch> ExportPage(ReadOnlyMemory<byte> after, int maxBytes)
    {
        var page = new EncodedAtomWriter(Math.Clamp(maxBytes, 1024, SpaceLimits.MaxBatchBytes));
        var count = Space.Atoms.ExportEncoded(after.Span, Math.Clamp(maxBytes, 1, SpaceLimits.MaxBatchBytes), page);
        return Task.FromResult(new AtomBatch(page.WrittenMemory, count));
    }

    public Task<RulesPage> RulesPage(string head, int arity, long from, int maxBytes)
    {
        var rules = new EncodedAtomWriter(4096);
        var next = Space.Atoms.MatchingRulesEncoded(head, arity, from, Math.Clamp(maxBytes, 1, SpaceLimits.MaxBatchBytes), rules);
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
        var page = Paged(() => Matches.Open(pattern, template, request.Limit, Math.Clamp(request.PageBytes, 1024, SpaceLimits.MaxBatchBytes)));
        _idleCheck ??= this.RegisterGrainTimer(CloseIdleMatches, new GrainTimerCreationOptions(Matches.Limits.IdleCheckPeriod, Matches.Limits.IdleCheckPeriod) { KeepAlive = false });
        return page;
    }

    public Task<MatchPage> MatchNext(long cursor) => Paged(() => Matches.Next(cursor));

    public Task MatchClose(long cursor)
    {
        Matches.Close(cursor);
        return Task.CompletedTask;
    }

    public Task<SpaceInfo> Info()
    {
        var (space, atoms, stats) = (Space, Space.Atoms, Space.Stats);
        return Task.FromResult(new SpaceInfo(
            Name, atoms.Count, atoms.RuleCount, store.Description, silo.SiloAddress.Endpoint.ToString(),
            stats.LogBytes, stats.SnapshotAtoms, stats.SnapshotSequence, Matches.Count, space.Epoch, space.RecoveryTime.TotalMilliseconds,
            atoms.Memory.LiveBytes, atoms.IndexMemory.LiveBytes, space.TornTailBytes));
    }

    public Task Unload()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public async Task<SpaceInfo> Snapshot()
    {
        try
        {
            await Space.SnapshotAsync();
        }
        catch (StoreFailedException e)
        {
            throw new SpaceStorageException(e.Message);
        }

        return await Info();
    }

    /// <summary>A change through the durable space, its refusals turned into the exceptions every client can deserialise.</summary>
    private async Task<int> Change(Func<DurableSpace, Task<int>> change)
    {
        try
        {
            return await change(Space);
        }
        catch (Exception e) when (e is MalformedEncodingException or ArgumentException)
        {
            throw new InvalidAtomBatchException(e.Message);
        }
        catch (StoreFailedException e)
        {
            throw new SpaceStorageException(e.Message);
        }
        finally
        {
            IndexInTheBackground();
        }
    }

    /// <summary>
    /// Lets the argument index catch up with the space (after a load or a recovery, docs/matching.md)
    /// in short turns of its own, between the space's other calls, until it is complete.
    /// </summary>
    private void IndexInTheBackground()
    {
        if (!Space.IndexIsBehind)
        {
            return;
        }

        _indexing ??= this.RegisterGrainTimer(
            () =>
            {
                if (Space.CatchUpIndex())
                {
                    _indexing?.Dispose();
                    _indexing = null;
                }

                return Task.CompletedTask;
            },
            new GrainTimerCreationOptions(TimeSpan.Zero, IndexingPause) { KeepAlive = false, Interleave = true });
    }

    /// <summary>A page of a match as the wire carries it; a stopped match as a <see cref="MatchFailedException"/>.</summary>
    private static Task<MatchPage> Paged(Func<MatchSessionPage> next)
    {
        try
        {
            var page = next();
            return Task.FromResult(new MatchPage(page.Id, new AtomBatch(page.Results, page.ResultCount), page.Solutions));
        }
        catch (MatchStoppedException e)
        {
            throw new MatchFailedException(e.Message);
        }
    }

    private Task CloseIdleMatches()
    {
        Matches.CloseIdle();
        if (Matches.Count == 0)
        {
            _idleCheck?.Dispose();
            _idleCheck = null;
        }

        return Task.CompletedTask;
    }

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
}
