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
    IOptions<PartitionOptions> partitionOptions,
    ILocalSiloDetails silo,
    ISpaceStore store,
    ILogger logger) : Grain
{
    // The argument index catches up in short turns this far apart: the space's calls go between them.
    private static readonly TimeSpan IndexingPause = TimeSpan.FromMilliseconds(5);

    // A retired partition stays this long before it leaves memory.
    private static readonly TimeSpan RetiredStay = TimeSpan.FromMinutes(1);

    private DurableSpace? _space;
    private MatchSessions? _matches;
    private IGrainTimer? _idleCheck;
    private IGrainTimer? _indexing;
    private IGrainTimer? _sealCheck;
    private IGrainTimer? _leave;
    private GrainPartitionPeers? _peers;

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
            _space = await DurableSpace.OpenAsync(Name, store, durabilityOptions.Value.SnapshotLogBytes, events, cancellationToken: cancellationToken);
        }
        catch (Exception e) when (ForTheWire(e) is { } wire)
        {
            throw wire;
        }

        var match = matchOptions.Value;
        var budget = new MatchBudget(match.MaxSolutions, TimeSpan.FromSeconds(match.MaxSeconds));
        _matches = new MatchSessions(Name, _space.Atoms, new MatchSessionLimits(budget, match.Slice, match.IdleTimeout, match.MaxOpenPerSpace, SpaceLimits.MaxAtomBytes));
        if (_space.Partition != 0 && _space.Partitions.Epoch > 0)
        {
            // A change of the map may have retired this partition while it was not active.
            await ReconcileAsync();
        }

        await _space.DropAsync();
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

    public Task<SpacePartitions> Partitions() => Task.FromResult(GrainPartitionPeers.ForTheWire(Space.Partitions));

    public async Task<SpacePartitions> Divide(byte[][] splits)
    {
        ArgumentNullException.ThrowIfNull(splits);
        var change = await ChangeMap(current =>
        {
            if (current.Epoch > 0 || splits.Length == 0)
            {
                return Task.FromResult<PartitionMap?>(null);
            }

            return Space.Atoms.Count == 0
                ? Task.FromResult<PartitionMap?>(current.Redivided(splits))
                : throw new ArgumentException($"space '{Name}' holds {Space.Atoms.Count:N0} atoms: only an empty space is divided when it is created (repartition divides one that holds atoms)");
        });
        return GrainPartitionPeers.ForTheWire(change.Map);
    }

    public async Task<RepartitionResult> Repartition(int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        var change = await ChangeMap(async current =>
        {
            var counts = await Task.WhenAll(current.Ids.Select(Peers.CountAsync));
            var total = counts.Sum();
            if (total == 0)
            {
                throw new ArgumentException($"space '{Name}' is empty: there are no keys to divide it by (load it with --partitions to divide it as it is created)");
            }

            var every = Math.Max(1, total / KeySample.DefaultCapacity);
            var samples = await Task.WhenAll(current.Ids.Select(id => Peers.SampleAsync(id, every)));
            return current.Redivided(PartitionMap.SplitsOf([.. samples.SelectMany(keys => keys)], partitions));
        });
        return new RepartitionResult(GrainPartitionPeers.ForTheWire(change.Map), change.AtomsMoved, change.Elapsed.TotalMilliseconds);
    }

    public Task<long> AtomCount() => Task.FromResult(Space.Atoms.Count);

    public async Task<byte[][]> SampleKeys(long every) => [.. await Space.SampleKeysAsync(every)];

    public Task TakeRange(SpacePartitions map) => WiredAsync(async () =>
    {
        await Space.TakeRangeAsync(GrainPartitionPeers.FromTheWire(map));
        return true;
    });

    public Task Seal(long epoch)
    {
        Wired(() =>
        {
            Space.Seal(epoch);
            return true;
        });

        // If partition 0 is not heard from, this partition asks it whether the change is still under way.
        _sealCheck ??= this.RegisterGrainTimer(
            async () =>
            {
                if (Space.SealedFor > 0)
                {
                    await ReconcileAsync();
                }

                if (Space.SealedFor == 0)
                {
                    _sealCheck?.Dispose();
                    _sealCheck = null;
                }
            },
            new GrainTimerCreationOptions(DurableSpace.HoldLimit, DurableSpace.HoldLimit) { KeepAlive = true, Interleave = true });
        return Task.CompletedTask;
    }

    public Task Unseal(long epoch)
    {
        Space.Unseal(epoch);
        return Task.CompletedTask;
    }

    public Task<long> CopyTo(SpacePartitions map)
    {
        var target = Wired(() => GrainPartitionPeers.FromTheWire(map));
        var grains = target.Ids.Select(Peers.Space).ToArray();
        return WiredAsync(() => Space.CopyToAsync(target, (index, operation, batch) =>
        {
            // Routed by the new map: a new partition takes calls of its epoch.
            RequestContext.Set(SpacePartitions.EpochKey, target.Epoch);
            var grain = grains[index];
            var atoms = new AtomBatch(batch.WrittenMemory, batch.AtomCount);
            return operation == LogOperation.AddRules ? grain.AddRules(atoms) : grain.AddFacts(atoms);
        }));
    }

    public async Task Retire(long epoch)
    {
        Space.Retire(epoch);
        await DropIfIdle();
    }

    public Task<long> ChangingTo() => Task.FromResult(Space.ChangingTo);

    public async Task Split(int partition)
    {
        var maxAtoms = partitionOptions.Value.PartitionMaxAtoms;
        int[] halves = [];
        var change = await ChangeMap(async current =>
        {
            var index = current.IndexOfPartition(partition);
            var count = index < 0 ? 0 : await Peers.CountAsync(partition);
            if (count <= maxAtoms)
            {
                return null;
            }

            var sample = await Peers.SampleAsync(partition, Math.Max(1, count / 1024));
            var median = sample.Skip(sample.Count / 2).FirstOrDefault(key => !key.AsSpan().SequenceEqual(current.Low(index)));
            if (median is null)
            {
                return null;
            }

            var split = current.SplitAt(index, median);
            halves = [split.Ids[index], split.Ids[index + 1]];
            return split;
        });
        if (halves.Length > 0)
        {
            SpaceLog.Split(logger, PartitionNames.Parse(Name).Space, partition, change.AtomsMoved, (long)change.Elapsed.TotalMilliseconds, change.Map.Count);

            // A half still past the limit (the partition grew on while it was copied) splits again.
            foreach (var half in halves)
            {
                await Split(half);
            }
        }
    }

    /// <summary>A change of the space's map, run by this grain (partition 0), its refusal as the wire carries it.</summary>
    private async Task<PartitionChange> ChangeMap(Func<PartitionMap, Task<PartitionMap?>> plan)
    {
        RequestContext.Remove(SpacePartitions.EpochKey);
        return await WiredAsync(() => Space.ChangePartitionsAsync(plan, Peers));
    }

    /// <summary>Asks partition 0 for the space's map and the change it is making, and brings this partition in line with them.</summary>
    private async Task ReconcileAsync()
    {
        var map = await Peers.Space(0).Partitions();
        Space.Reconcile(GrainPartitionPeers.FromTheWire(map), await Peers.Grain(0).ChangingTo());
        await DropIfIdle();
    }

    /// <summary>
    /// A partition that left the map drops its atoms once no match reads them, and leaves memory a while
    /// later (meanwhile it refuses the calls of clients with an older map, which then read the new one).
    /// </summary>
    private async Task DropIfIdle()
    {
        if (Space.Retired && Matches.Count == 0)
        {
            await Space.DropAsync();
            if (Space.Partition != 0)
            {
                _leave ??= this.RegisterGrainTimer(
                    () =>
                    {
                        DeactivateOnIdle();
                        return Task.CompletedTask;
                    },
                    new GrainTimerCreationOptions(RetiredStay, Timeout.InfiniteTimeSpan) { KeepAlive = false });
            }
        }
    }

    public Task<AtomBatch> ExportPage(ReadOnlyMemory<byte> after, int maxBytes)
    {
        CheckMap();
        var page = new EncodedAtomWriter(Math.Clamp(maxBytes, 1024, SpaceLimits.MaxBatchBytes));
        var count = Space.Atoms.ExportEncoded(after.Span, Math.Clamp(maxBytes, 1, SpaceLimits.MaxBatchBytes), page);
        return Task.FromResult(new AtomBatch(page.WrittenMemory, count));
    }

    public Task<RulesPage> RulesPage(string head, int arity, long from, int maxBytes)
    {
        CheckMap();
        var rules = new EncodedAtomWriter(4096);
        var next = Space.Atoms.MatchingRulesEncoded(head, arity, from, Math.Clamp(maxBytes, 1, SpaceLimits.MaxBatchBytes), rules);
        return Task.FromResult(new RulesPage(new AtomBatch(rules.WrittenMemory, rules.AtomCount), next));
    }

    public Task<MatchPage> MatchOpen(MatchQuery query, MatchRequest request)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Opened(request, () =>
        {
            var (pattern, template) = AtomDecoder.DecodeQuery(query.Pattern.Span, query.Template.Span);
            return Matches.Open(pattern, template, request.Limit, PageBytes(request));
        });
    }

    public Task<MatchPage> MatchEachOpen(AtomBatch probes, MatchRequest request)
    {
        ArgumentNullException.ThrowIfNull(probes);
        return Opened(request, () => Matches.OpenEach(probes.Bytes.Span, request.Limit, PageBytes(request)));
    }

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
            atoms.Memory.LiveBytes, atoms.IndexMemory.LiveBytes, space.TornTailBytes, Matches.Served));
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

    /// <summary>A change through the durable space; the argument index then catches up in the background.</summary>
    private async Task<int> Change(Func<DurableSpace, Task<int>> change)
    {
        try
        {
            CheckMap();
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

    /// <summary>A partition grown past the silo's PartitionMaxAtoms asks partition 0 to split it (and goes on taking changes meanwhile).</summary>
    private void AskToSplitIfLarge()
    {
        if (Space.Atoms.Count <= _splitAt || Space.SealedFor > 0 || Space.Retired)
        {
            return;
        }

        _splitAt = Space.Atoms.Count + (Space.Atoms.Count / 4);
        RequestContext.Remove(SpacePartitions.EpochKey);
        var (space, partition) = (PartitionNames.Parse(Name).Space, Space.Partition);
        Peers.Grain(0).Split(partition).ContinueWith(
            split => SpaceLog.SplitFailed(logger, split.Exception!, space, partition), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default).Ignore();
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
        Wired(() =>
        {
            Space.CheckRouting(epoch);
            return true;
        });
    }

    private static MatchPage ForTheWire(MatchSessionPage page) => new(new MatchId(page.Id), new AtomBatch(page.Results, page.ResultCount), page.Solutions);

    /// <summary>The exception every client can deserialise for one of the core's refusals; null for anything else.</summary>
    private static Exception? ForTheWire(Exception e) => e switch
    {
        MalformedEncodingException or ArgumentException => new InvalidAtomBatchException(e.Message),
        StoreFailedException => new SpaceStorageException(e.Message) { Damaged = e.InnerException is StoreCorruptedException },
        MatchStoppedException => new MatchFailedException(e.Message),
        WrongPartitionException wrong => new PartitionMapChangedException(e.Message) { Epoch = wrong.Epoch },
        _ => null,
    };
}
