using OrleansKb.Codec;
using OrleansKb.Persistence;
using OrleansKb.Spaces;

namespace OrleansKb.Grains;

/// <summary>
/// What a space's grain does as one partition of the space (docs/cluster.md, "Partitioned spaces"):
/// the map, dividing and repartitioning (on partition 0, which runs every change of the map), and its
/// part in a change (<see cref="IPartitionGrain"/>): taking a range, holding its changes, copying its
/// atoms, retiring; and asking to be split once it has grown past the silo's <c>PartitionMaxAtoms</c>.
/// </summary>
internal abstract partial class EnvironmentGrainBase
{
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

    public Task<SpaceArgumentSummary?> ArgumentsWhole() => Task.FromResult(Space.ArgumentsWhole() is { } whole ? ForTheWire(whole) : null);

    public Task TellArguments(SpaceArgumentSummary summary)
    {
        FromTheWire(summary).ApplyTo(_argumentDirectory);
        return Task.CompletedTask;
    }

    public async Task<int[]> PartitionsHolding(ReadOnlyMemory<byte> pattern)
    {
        var map = Space.Partitions;
        var epoch = RequestContext.Get(SpacePartitions.EpochKey) as long? ?? 0;
        if (epoch != map.Epoch)
        {
            throw new PartitionMapChangedException($"space '{PartitionNames.Parse(Name).Space}': the call was routed by its partition map of epoch {epoch}; the space's is of epoch {map.Epoch}") { Epoch = map.Epoch };
        }

        var asked = Wired(() => map.PartitionsFor(pattern.Span));
        if (asked.Count < 2 || !ArgumentSummary.ItemOf(pattern.Span, out var item))
        {
            return [.. asked];
        }

        // A partition not heard from since this grain was activated is asked for its summary first.
        await Task.WhenAll(asked.Select(index => map.Ids[index]).Where(_argumentDirectory.BeginFetch).Select(FetchArgumentsAsync));
        return [.. asked.Where(index => _argumentDirectory.MayHold(map.Ids[index], item))];
    }

    public Task<SpaceJoinStatistics> JoinStatistics(ReadOnlyMemory<byte> conjunction)
    {
        var measured = Wired(() => Space.Atoms.MeasurePatterns(AtomDecoder.Decode(conjunction.Span), Matches.Limits.Slice));
        return Task.FromResult(new SpaceJoinStatistics(
            Space.Atoms.HoldsVariables, measured?.Select(p => p.Count).ToArray(), measured?.Select(p => p.Distinct).ToArray()));
    }

    public Task<byte[][]> SampleKeys(long every) => Task.FromResult<byte[][]>([.. Space.SampleKeys(every)]);

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

    public async Task<bool> Retire(long epoch)
    {
        Space.Retire(epoch);
        await DropIfIdle();
        return Space.StoreDeleted;
    }

    public Task Committed(long epoch)
    {
        Space.Committed(epoch);
        return Task.CompletedTask;
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
        var change = await WiredAsync(() => Space.ChangePartitionsAsync(plan, Peers));
        _argumentDirectory.KeepOnly(Space.Partitions.Ids);
        AskRetiringAgainLater(RetiringRetry);
        return change;
    }

    /// <summary>
    /// On partition 0: while partitions that left the map may still keep their stores (their silo was
    /// down when they were told to retire), asks them again every <see cref="RetiringRetry"/> until each
    /// has deleted its store. The list is in the stored map, so a later activation goes on with it.
    /// </summary>
    private void AskRetiringAgainLater(TimeSpan first)
    {
        if (Space.Partition != 0 || Space.Partitions.Retiring.Count == 0 || _retiringCheck is not null)
        {
            return;
        }

        _retiringCheck = this.RegisterGrainTimer(
            async () =>
            {
                await Space.RetireLeftPartitionsAsync(Peers);
                if (Space.Partitions.Retiring.Count == 0)
                {
                    _retiringCheck?.Dispose();
                    _retiringCheck = null;
                }
            },
            new GrainTimerCreationOptions(first, RetiringRetry) { KeepAlive = false, Interleave = true });
    }

    /// <summary>Fetches a partition's summary of its later arguments into partition 0's directory (unknown again if that fails: it is then always asked).</summary>
    private async Task FetchArgumentsAsync(int partition)
    {
        ArgumentSummary? summary = null;
        var holdsVariables = false;
        try
        {
            if (await Peers.Grain(partition).ArgumentsWhole() is { } whole)
            {
                (summary, holdsVariables) = (FromTheWire(whole).Whole, whole.HoldsVariables);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            SpaceLog.ArgumentsNotFetched(logger, e, PartitionNames.Parse(Name).Space, partition);
        }

        _argumentDirectory.EndFetch(partition, summary, holdsVariables);
    }

    private static SpaceArgumentSummary ForTheWire(ArgumentSummaryUpdate update) =>
        new(update.Partition, update.Log2Bits, update.HoldsVariables, update.Fresh, update.Words);

    private static ArgumentSummaryUpdate FromTheWire(SpaceArgumentSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return new(summary.Partition, summary.Log2Bits, summary.HoldsVariables, summary.Fresh, summary.Words);
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
            try
            {
                await Space.DropAsync();
            }
            catch (StoreFailedException e)
            {
                // Its atoms are in the partitions that hold its range now: it answers as a retired partition meanwhile.
                SpaceLog.DropFailed(logger, e, PartitionNames.Parse(Name).Space, Space.Partition);
            }

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
}
