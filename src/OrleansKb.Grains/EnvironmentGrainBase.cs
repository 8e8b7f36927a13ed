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
internal abstract partial class EnvironmentGrainBase(
    IOptions<MatchOptions> matchOptions,
    IOptions<DurabilityOptions> durabilityOptions,
    IOptions<PartitionOptions> partitionOptions,
    SiloMemory memory,
    ILocalSiloDetails silo,
    ISpaceStore store,
    ILogger logger) : Grain
{
    // The argument index catches up in short turns this far apart: the space's calls go between them.
    private static readonly TimeSpan IndexingPause = TimeSpan.FromMilliseconds(5);

    // A retired partition stays this long before it leaves memory.
    private static readonly TimeSpan RetiredStay = TimeSpan.FromMinutes(1);

    // How often partition 0 asks again the partitions that left the map but were not reached then.
    private static readonly TimeSpan RetiringRetry = TimeSpan.FromSeconds(30);

    private DurableSpace? _space;
    private MatchSessions? _matches;
    private IGrainTimer? _idleCheck;
    private IGrainTimer? _indexing;
    private IGrainTimer? _sealCheck;
    private IGrainTimer? _leave;
    private IGrainTimer? _retiringCheck;
    private MatchBudget? _transformBudget;
    private GrainPartitionPeers? _peers;

    // On partition 0 of a divided space: what each partition holds at its later arguments.
    private readonly ArgumentDirectory _argumentDirectory = new();

    // Past this many atoms the partition asks partition 0 to split it (again only once it has grown a quarter more).
    private long _splitAt = partitionOptions.Value.PartitionMaxAtoms;

    private string Name => this.GetPrimaryKeyString();

    private DurableSpace Space => _space ?? throw new InvalidOperationException("the space is not open");

    private MatchSessions Matches => _matches ?? throw new InvalidOperationException("the space is not open");

    /// <summary>The space's partitions, by number, as grains of this grain's type.</summary>
    private GrainPartitionPeers Peers => _peers ??= new GrainPartitionPeers(GrainFactory, this.GetGrainId().Type, PartitionNames.Parse(Name).Space, Space.Partition, (IPartitionGrain)this);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        try
        {
            var events = new SpaceEvents(logger, Name, store.Description, DeactivateOnIdle);
            _space = await DurableSpace.OpenAsync(Name, store, durabilityOptions.Value.SnapshotLogBytes, events, admitRecovery: bytes => memory.AdmitRecovery(Name, bytes, silo.SiloAddress.ToParsableString()), cancellationToken: cancellationToken);
        }
        catch (Exception e) when (ForTheWire(e) is { } wire)
        {
            throw wire;
        }

        var match = matchOptions.Value;
        _transformBudget = match.Budget(forTransform: true);
        _matches = new MatchSessions(Name, _space.Atoms, new MatchSessionLimits(match.Budget(forTransform: false), match.Slice, match.IdleTimeout, match.MaxOpenPerSpace, SpaceLimits.MaxAtomBytes));
        if (_space.Partition != 0)
        {
            // A change of the map may have retired this partition while it was not active (or deleted
            // its store before a call of an older map activated it again).
            await ReconcileAsync();
        }

        await _space.DropAsync();
        _space.TellArguments = update => Peers.Grain(0).TellArguments(ForTheWire(update));
        IndexInTheBackground();
        AskRetiringAgainLater(TimeSpan.FromSeconds(5));
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_space is not null)
        {
            await _space.CloseAsync(cancellationToken);
        }
    }

    public Task<int> AddFacts(AtomBatch batch) => Change(space => space.AddFactsAsync(batch.Bytes), batch.Bytes.Length);

    public Task<AtomBatch> AddFactsReportingNew(AtomBatch batch) => Change(
        async space => await space.AddFactsReportingNewAsync(batch.Bytes) is var (atoms, count) ? new AtomBatch(atoms, count) : AtomBatch.Empty,
        batch.Bytes.Length);

    public Task<int> AddRules(AtomBatch batch) => Change(space => space.AddRulesAsync(batch.Bytes), batch.Bytes.Length);

    public Task<int> Remove(AtomBatch batch) => Change(space => space.RemoveAsync(batch.Bytes));

    public Task Clear() => Change(space => space.ClearAsync());

    public Task<bool[]> Contains(AtomBatch batch)
    {
        CheckMap();
        return Task.FromResult(Wired(() => Space.Atoms.ContainsEncoded(batch.Bytes.Span)));
    }

    public Task<long> Count()
    {
        CheckMap();
        return Task.FromResult(Space.Atoms.Count);
    }

    public Task<AtomBatch> ExportPage(ReadOnlyMemory<byte> after, int maxBytes)
    {
        CheckMap();
        var page = new EncodedAtomWriter(Math.Clamp(maxBytes, 1024, SpaceLimits.MaxBatchBytes));
        var count = Space.Atoms.ExportEncoded(after.Span, Math.Clamp(maxBytes, 1, SpaceLimits.MaxBatchBytes), page);
        return Task.FromResult(new AtomBatch(page.WrittenMemory, count));
    }

    public Task<RulesPage> RulesPage(ReadOnlyMemory<byte> head, int arity, long from, int maxBytes)
    {
        CheckMap();
        var rules = new EncodedAtomWriter(4096);
        var next = Space.Atoms.MatchingRulesEncoded(head.Span, arity, from, Math.Clamp(maxBytes, 1, SpaceLimits.MaxBatchBytes), rules);
        return Task.FromResult(new RulesPage(new AtomBatch(rules.WrittenMemory, rules.AtomCount), next));
    }

    public Task<MatchPage> MatchOpen(MatchQuery query, MatchRequest request)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Opened(request, () =>
        {
            var (pattern, template) = AtomDecoder.DecodeQuery(query.Pattern.Span, query.Template.Span);
            return Matches.Open(pattern, template, request.Limit, PageBytes(request), TransformBudget(request));
        });
    }

    public Task<MatchPage> MatchRowsOpen(MatchQuery level, AtomBatch rows, MatchRequest request)
    {
        ArgumentNullException.ThrowIfNull(level);
        ArgumentNullException.ThrowIfNull(rows);
        return Opened(request, () => Matches.OpenRows(level.Pattern.Span, level.Template.Span, rows.Bytes, request.Limit, PageBytes(request), TransformBudget(request)));
    }

    /// <summary>A transform's read is bounded by the silo's transform budget; any other match by its match budget.</summary>
    private MatchBudget? TransformBudget(MatchRequest request) => request.ForTransform ? _transformBudget : null;

    private static int PageBytes(MatchRequest request) => Math.Clamp(request.PageBytes, 1024, SpaceLimits.MaxBatchBytes);

    /// <summary>A match opened (after the checks every match passes), its first page as the wire carries it; idle matches are closed from now on.</summary>
    private Task<MatchPage> Opened(MatchRequest request, Func<MatchSessionPage> open)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Limit);
        CheckMap();
        var page = Wired(open);
        _idleCheck ??= this.RegisterGrainTimer(CloseIdleMatches, new GrainTimerCreationOptions(Matches.Limits.IdleCheckPeriod, Matches.Limits.IdleCheckPeriod) { KeepAlive = false });
        return Task.FromResult(ForTheWire(page));
    }

    public Task<MatchPage> MatchNext(MatchId match) => Task.FromResult(ForTheWire(Wired(() => Matches.Next(match.Value))));

    public Task MatchClose(MatchId match)
    {
        Matches.Close(match.Value);
        return Task.CompletedTask;
    }

    public Task<SpaceInfo> Info()
    {
        CheckMap();
        var (space, atoms, stats) = (Space, Space.Atoms, Space.Stats);
        return Task.FromResult(new SpaceInfo(
            Name, atoms.Count, atoms.RuleCount, store.Description, silo.SiloAddress.Endpoint.ToString(),
            stats.LogBytes, stats.SnapshotAtoms, stats.SnapshotSequence, Matches.Count, space.Epoch, space.RecoveryTime.TotalMilliseconds,
            atoms.Memory.LiveBytes, atoms.IndexMemory.LiveBytes, space.TornTailBytes, Matches.Served)
        {
            SiloMemoryBudget = memory.Budget,
            SiloMemoryHighWater = memory.HighWater,
            SiloMemoryUsed = SiloMemory.Used,
        });
    }

    public Task Unload()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public async Task<SpaceInfo> Snapshot()
    {
        CheckMap();
        try
        {
            await Space.SnapshotAsync();
        }
        catch (Exception e) when (ForTheWire(e) is { } wire)
        {
            throw wire;
        }

        return await Info();
    }

    /// <summary>
    /// A change through the durable space, refused first if its <paramref name="growth"/> (the bytes it
    /// adds, encoded) would take the silo past its memory's high-water mark; the argument index then
    /// catches up in the background.
    /// </summary>
    private async Task<T> Change<T>(Func<DurableSpace, Task<T>> change, long growth = 0)
    {
        try
        {
            CheckMap();
            if (growth > 0)
            {
                memory.Admit(Name, growth, Space.Atoms.Memory, Space.Atoms.IndexMemory, Space.ArgumentsGrowth(growth));
            }

            var changed = await change(Space);
            AskToSplitIfLarge();
            return changed;
        }
        catch (Exception e) when (ForTheWire(e) is { } wire)
        {
            throw wire;
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
        if (Space.Atoms.IndexIsComplete)
        {
            return;
        }

        _indexing ??= this.RegisterGrainTimer(
            () =>
            {
                // The index grows the heap as a write does: past the high-water mark it waits (lookups
                // by a later argument walk the trie meanwhile), so it never takes the silo's last memory.
                if (memory.AboveHighWater)
                {
                    return Task.CompletedTask;
                }

                if (Space.CatchUpIndex())
                {
                    _indexing?.Dispose();
                    _indexing = null;
                }

                return Task.CompletedTask;
            },
            new GrainTimerCreationOptions(TimeSpan.Zero, IndexingPause) { KeepAlive = false, Interleave = true });
    }

    private async Task CloseIdleMatches()
    {
        Matches.CloseIdle();
        if (Matches.Count == 0)
        {
            _idleCheck?.Dispose();
            _idleCheck = null;
            await DropIfIdle();
        }
    }

    /// <summary>Runs a call on the core, its refusal as the wire carries it.</summary>
    private static T Wired<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (Exception e) when (ForTheWire(e) is { } wire)
        {
            throw wire;
        }
    }

    /// <summary>Runs an asynchronous call on the core, its refusal as the wire carries it.</summary>
    private static async Task<T> WiredAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (ForTheWire(e) is { } wire)
        {
            throw wire;
        }
    }

    /// <summary>
    /// Refuses a call routed by another map of the space's partitions than this partition holds (the
    /// epoch the caller sent, <see cref="SpacePartitions.EpochKey"/>); a call without one was routed
    /// as for an undivided space (epoch 0) — this client's calls to one, or an older client's.
    /// </summary>
    private void CheckMap()
    {
        var epoch = RequestContext.Get(SpacePartitions.EpochKey) as long? ?? 0;
        try
        {
            // Called on every read and write: no closure.
            Space.CheckRouting(epoch);
        }
        catch (WrongPartitionException e)
        {
            throw ForTheWire(e)!;
        }
    }

    private static MatchPage ForTheWire(MatchSessionPage page) => new(new MatchId(page.Id), new AtomBatch(page.Results, page.ResultCount), page.Solutions);

    /// <summary>The exception every client can deserialise for one of the core's refusals; null for anything else.</summary>
    private static Exception? ForTheWire(Exception e) => e switch
    {
        MalformedEncodingException or ArgumentException => new InvalidAtomBatchException(e.Message),
        StoreFailedException => new SpaceStorageException(e.Message) { Damaged = e.InnerException is StoreCorruptedException },
        MatchStoppedException => new MatchFailedException(e.Message),
        WrongPartitionException wrong => new PartitionMapChangedException(e.Message) { Epoch = wrong.Epoch },
        OutOfMemoryException => new SpaceMemoryException(
            $"the silo ran out of memory: the call was not acknowledged; {SiloMemory.MakeRoom}"),
        _ => null,
    };
}
