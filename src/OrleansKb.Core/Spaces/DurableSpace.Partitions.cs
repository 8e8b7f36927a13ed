using System.Diagnostics;
using OrleansKb.Codec;
using OrleansKb.Persistence;

namespace OrleansKb.Spaces;

/// <summary>
/// A space kept in a store as one partition of a divided space (docs/cluster.md, "Changing the
/// partitions"): the changes of the map partition 0 runs, and a partition's part in them — taking a
/// range, holding its changes, copying its atoms, retiring, and reconciling with partition 0.
/// </summary>
public sealed partial class DurableSpace
{
    /// <summary>
    /// Changes the space's partition map (docs/cluster.md, "Changing the partitions"); called on
    /// partition 0, which keeps the map, one change at a time. <paramref name="plan"/> is given the map
    /// the space holds once any change before this one is over, and returns the next one — epoch one
    /// higher, new partitions (numbered from <see cref="PartitionMap.NextId"/>) for new ranges, the
    /// others with their ranges unchanged — or null to keep it. The new partitions take their ranges;
    /// the partitions that leave the map hold their changes and copy their atoms to the new ones; then
    /// partition 0 keeps the new map durably, which is the commit, and the leaving partitions retire.
    /// Until the commit, nothing the space answers changes, and a failure gives the change up: the
    /// leaving partitions take changes again, and the new ones are never asked. A change sent to a
    /// leaving partition meanwhile waits, then is refused for the new map, nothing of it applied, and
    /// sent again by its client to the partitions that now hold its atoms.
    /// </summary>
    public Task<PartitionChange> ChangePartitionsAsync(Func<PartitionMap, Task<PartitionMap?>> plan, IPartitionPeers peers)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(peers);
        if (Partition != 0)
        {
            throw new InvalidOperationException($"space '{Name}': only partition 0 changes the space's partitions");
        }

        var change = ChangeAfterAsync(_mapChange, plan, peers);
        _mapChange = change;
        return change;
    }

    /// <summary>The epoch of the map partition 0 is changing the space to; 0 when no change is under way.</summary>
    public long ChangingTo { get; private set; }

    /// <summary>Whether this partition left the space's map: it refuses every call, and its atoms are to be dropped (<see cref="DropAsync"/>).</summary>
    public bool Retired => _retiredEpoch is not null;

    /// <summary>Whether this partition, retired, has deleted everything its store kept of it (<see cref="DropAsync"/>).</summary>
    public bool StoreDeleted { get; private set; }

    /// <summary>The epoch of the map this partition is leaving for, while it holds its changes; 0 otherwise.</summary>
    public long SealedFor => _seal is null ? 0 : _sealEpoch;

    /// <summary>
    /// Refuses a call routed by a map this partition cannot answer for, before it does anything: an
    /// older map than this partition's own, or any map once this partition holds no range of the space
    /// (it left the map, or it is partition 0 keeping only the map). A newer map is answered: a
    /// partition's range never changes while it is in the map.
    /// </summary>
    public void CheckRouting(long epoch)
    {
        if (_retiredEpoch is not null || _partitionIndex < 0)
        {
            throw Moved(Math.Max(_retiredEpoch ?? 0, Partitions.Epoch));
        }

        if (epoch < Partitions.Epoch)
        {
            throw new WrongPartitionException(
                $"space '{PartitionNames.Parse(Name).Space}': the call was routed by its partition map of epoch {epoch}; partition {Partition} holds epoch {Partitions.Epoch}")
            { Epoch = Partitions.Epoch };
        }
    }

    /// <summary>
    /// A new partition takes its range of <paramref name="map"/>, durably, dropping anything a change
    /// given up before left in it (new partitions are numbered above every partition the space's map
    /// ever had, so nothing of the space is in one).
    /// </summary>
    public async Task TakeRangeAsync(PartitionMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (Partition == 0 || map.IndexOfPartition(Partition) < 0)
        {
            throw new ArgumentException($"space '{Name}': a map of epoch {map.Epoch} without partition {Partition} gives it no range", nameof(map));
        }

        if (Atoms.Count > 0)
        {
            await ApplyAsync(LogOperation.Clear, ReadOnlyMemory<byte>.Empty).ConfigureAwait(true);
        }

        (_seal, _retiredEpoch, _filling) = (null, null, true);
        await KeepMapAsync(map).ConfigureAwait(true);
    }

    /// <summary>This partition is leaving the map for the one of <paramref name="epoch"/>: its changes wait until the change is committed or given up.</summary>
    public void Seal(long epoch)
    {
        if (_retiredEpoch is { } retired)
        {
            throw Moved(retired);
        }

        _seal ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _sealEpoch = epoch;
    }

    /// <summary>The change to the map of <paramref name="epoch"/> was given up: changes are taken again.</summary>
    public void Unseal(long epoch)
    {
        if (_seal is { } seal && _sealEpoch == epoch)
        {
            _seal = null;
            seal.SetResult();
        }
    }

    /// <summary>
    /// The map of <paramref name="epoch"/>, which this partition is new in, is committed: it indexes its
    /// atoms from now on. Until then (or until no copy has reached it for <see cref="FillingQuiet"/>, if
    /// partition 0 could not tell it), it leaves the cores to the change's copy: no read reaches it before.
    /// </summary>
    public void Committed(long epoch)
    {
        if (Partitions.Epoch == epoch)
        {
            _filling = false;
        }
    }

    /// <summary>The map of <paramref name="epoch"/>, without this partition, is committed: every call is refused from now on, the waiting changes too.</summary>
    public void Retire(long epoch)
    {
        _retiredEpoch = Math.Max(_retiredEpoch ?? 0, epoch);
        var seal = _seal;
        _seal = null;
        seal?.SetResult();
    }

    /// <summary>
    /// Brings this partition in line with the map partition 0 holds (<paramref name="committed"/>) and
    /// the change it is making (<paramref name="changingTo"/>), when this partition cannot know whether a
    /// change it was part of ended (it was activated again, or a change has waited long): retires it if it
    /// is not in a map as new as its own, and takes changes again if the change it waits for was given up.
    /// A partition that never took a range (a call of an old map activated it after its store was
    /// deleted) is retired if partition 0 makes no change it could be new in — a partition is never
    /// numbered again — and so deletes the store its activation made.
    /// </summary>
    public void Reconcile(PartitionMap committed, long changingTo)
    {
        ArgumentNullException.ThrowIfNull(committed);
        if (Partition == 0 || Retired)
        {
            return;
        }

        var own = _seal is null ? Partitions.Epoch : _sealEpoch;
        if (committed.IndexOfPartition(Partition) < 0 && committed.Epoch >= own && (own > 0 || changingTo == 0))
        {
            Retire(committed.Epoch);
        }
        else if (_seal is not null && committed.Epoch < _sealEpoch && changingTo != _sealEpoch)
        {
            Unseal(_sealEpoch);
        }
    }

    /// <summary>
    /// Drops the atoms of a partition that left the map (<see cref="Retired"/>), durably: a partition
    /// other than 0 deletes everything its store keeps of it (nothing of the space is left in it, and it
    /// is never numbered again); partition 0, which keeps the map, or a partition a change given up left
    /// atoms in, logs a clear.
    /// </summary>
    public async Task DropAsync()
    {
        if (Retired && Partition != 0 && !_deleted)
        {
            // Tried once per activation (a handle that failed to delete writes nothing more); a snapshot
            // being written finishes first, as its files are in what is deleted.
            _deleted = true;
            Atoms.Clear();
            await _snapshot.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            try
            {
                await _stored.DeleteAsync().ConfigureAwait(true);
                StoreDeleted = true;
            }
            catch (Exception e) when (e is IOException or StaleEpochException or UnauthorizedAccessException or InvalidOperationException)
            {
                throw new StoreFailedException($"space '{Name}': the partition left the map, and deleting what its store keeps failed ({e.Message}); it is tried again when the partition is next activated", e);
            }
        }
        else if ((Retired || _partitionIndex < 0) && Atoms.Count > 0 && !_deleted)
        {
            await ApplyAsync(LogOperation.Clear, ReadOnlyMemory<byte>.Empty).ConfigureAwait(true);
        }
    }

    /// <summary>
    /// Every <paramref name="every"/>-th key of the space, in key order, from the first: an even
    /// sample, from which a change of the map picks its split keys (<see cref="AtomSpace.SampleKeys"/>).
    /// </summary>
    public IReadOnlyList<byte[]> SampleKeys(long every) => Atoms.SampleKeys(every);

    /// <summary>
    /// Copies this partition's atoms, which must be held for <paramref name="map"/> (<see cref="Seal"/>),
    /// to the partitions of <paramref name="map"/> that hold them: its rules first, in their order, then
    /// every atom in key order, in batches of up to 1 MiB, two per new partition on their way at once.
    /// <paramref name="send"/> adds a batch (its operation: facts or rules) to the partition at an index
    /// of <paramref name="map"/>, and completes once it is durable there. Returns the atoms copied.
    /// </summary>
    public async Task<long> CopyToAsync(PartitionMap map, Func<int, LogOperation, EncodedAtomWriter, Task> send)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(send);
        if (_seal is null || _sealEpoch != map.Epoch)
        {
            throw new InvalidOperationException($"space '{Name}': only a partition holding its changes for the map of epoch {map.Epoch} copies its atoms to it");
        }

        var sending = new Queue<(Task Sent, EncodedAtomWriter Batch)>();

        // The rules' batches, one per new partition that takes rules.
        var parts = new EncodedAtomWriter?[map.Count];

        // Batches of its own, each large enough for a whole batch from the start, reused once sent.
        var spare = new Stack<EncodedAtomWriter>();
        try
        {
            var rules = Atoms.RuleEntries();
            Array.Sort(rules, (a, b) => a.Sequence.CompareTo(b.Sequence));
            foreach (var (_, key) in rules)
            {
                var index = map.IndexOf(key);
                var part = parts[index] ??= Fresh();
                part.AppendAtom(key);
                if (part.Length >= CopyBatchBytes)
                {
                    await Send(LogOperation.AddRules, index, part).ConfigureAwait(true);
                    parts[index] = null;
                }
            }

            for (var index = 0; index < parts.Length; index++)
            {
                if (parts[index] is { AtomCount: > 0 } last)
                {
                    await Send(LogOperation.AddRules, index, last).ConfigureAwait(true);
                }
            }

            // The keys come in order, so each new partition's keys are read straight into a batch, up to
            // the key that starts the next range; every batch read is sent (one empty batch goes on to
            // the next range when a range has nothing left).
            long copied = 0;
            byte[] after = [];
            var batch = Fresh();
            for (var index = 0; index < map.Count;)
            {
                var count = Atoms.ExportEncoded(after, map.High(index), CopyBatchBytes, batch);
                if (count == 0)
                {
                    index++;
                    continue;
                }

                copied += count;
                after = batch.Atom(batch.AtomCount - 1).ToArray();
                await Send(LogOperation.AddFacts, index, batch).ConfigureAwait(true);
                batch = Fresh();

                // The space's other calls (reads) go between batches.
                await Task.Yield();
            }

            while (sending.Count > 0)
            {
                await Landed().ConfigureAwait(true);
            }

            return copied;
        }
        finally
        {
            // Batches still on their way after a failure are left to the garbage collector.
            sending.Clear();
        }

        async Task Send(LogOperation operation, int index, EncodedAtomWriter batch)
        {
            sending.Enqueue((send(index, operation, batch), batch));
            while (sending.Count > Math.Clamp(2 * map.Count, MinCopyBatchesInFlight, MaxCopyBatchesInFlight))
            {
                await Landed().ConfigureAwait(true);
            }
        }

        async Task Landed()
        {
            var (sent, batch) = sending.Peek();
            await sent.ConfigureAwait(true);
            sending.Dequeue();
            batch.Clear();
            spare.Push(batch);
        }

        EncodedAtomWriter Fresh() => spare.TryPop(out var writer) ? writer : new EncodedAtomWriter(CopyBatchBytes + (CopyBatchBytes / 8));
    }

    private async Task<PartitionChange> ChangeAfterAsync(Task previous, Func<PartitionMap, Task<PartitionMap?>> plan, IPartitionPeers peers)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        var started = Stopwatch.GetTimestamp();
        var current = Partitions;
        var target = await plan(current).ConfigureAwait(true);
        if (target is null)
        {
            return new PartitionChange(current, 0, Stopwatch.GetElapsedTime(started));
        }

        var leaving = current.Ids.Where(id => !current.SameRange(target, id)).ToArray();
        var fresh = target.Ids.Where(id => current.IndexOfPartition(id) < 0).ToArray();
        if (target.Epoch != current.Epoch + 1 || leaving.Any(id => target.IndexOfPartition(id) >= 0) || fresh.Any(id => id < current.NextId))
        {
            throw new ArgumentException(
                $"space '{Name}': the map of epoch {current.Epoch} changes to one of epoch {current.Epoch + 1}, where a partition that keeps its number keeps its range and a new one is numbered from {current.NextId}",
                nameof(plan));
        }

        // Until the commit the new partitions are kept in the map as retiring, so that a change given up,
        // or cut short by a crash, leaves nothing in their stores: partition 0 retires them (now, or once
        // it is next activated), and their numbers are never given again.
        await KeepMapAsync(current.WithRetiring(current.Retiring.Concat(fresh))).ConfigureAwait(true);

        long moved;
        ChangingTo = target.Epoch;
        try
        {
            await Task.WhenAll(fresh.Select(id => peers.PrepareAsync(id, target))).ConfigureAwait(true);
            await Task.WhenAll(leaving.Select(id => peers.SealAsync(id, target.Epoch))).ConfigureAwait(true);
            moved = (await Task.WhenAll(leaving.Select(id => peers.CopyAsync(id, target))).ConfigureAwait(true)).Sum();

            // The leaving partitions are kept in the map as retiring until each has deleted its store.
            await KeepMapAsync(target.WithRetiring(current.Retiring.Concat(leaving))).ConfigureAwait(true);
        }
        catch
        {
            // Given up: a leaving partition not reached now takes changes again once it asks (Reconcile);
            // the new ones drop what was copied to them.
            await Task.WhenAll(leaving.Select(id => peers.UnsealAsync(id, target.Epoch)))
                .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            ChangingTo = 0;
            await RetireLeftAsync(peers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            throw;
        }
        finally
        {
            ChangingTo = 0;
        }

        // Committed. A new partition not reached indexes once no copy has reached it for a while; a
        // leaving one not reached is asked again later (RetireLeftPartitionsAsync), and retires at once
        // should it ask first (Reconcile). Partition 0, which keeps the map, clears its atoms if it left
        // the ranges (or when it is next activated).
        await Task.WhenAll(fresh.Select(id => peers.CommittedAsync(id, target.Epoch))
                .Concat(leaving.Where(id => id == 0).Select(id => (Task)peers.RetireAsync(id, target.Epoch))))
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        await RetireLeftAsync(peers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        return new PartitionChange(Partitions, moved, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// Asks the partitions that left the map but may still keep atoms in their stores
    /// (<see cref="PartitionMap.Retiring"/>) to retire, and keeps the map without those that have
    /// deleted their stores; called on partition 0, after any change under way. One not reached (its
    /// silo down) or still serving a match stays in the list, to be asked again.
    /// </summary>
    public Task RetireLeftPartitionsAsync(IPartitionPeers peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        var sweep = RetireLeftAfterAsync(_mapChange, peers);
        _mapChange = sweep;
        return sweep;
    }

    private async Task RetireLeftAfterAsync(Task previous, IPartitionPeers peers)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        await RetireLeftAsync(peers).ConfigureAwait(true);
    }

    private async Task RetireLeftAsync(IPartitionPeers peers)
    {
        var map = Partitions;
        var asked = map.Retiring.Select(id => (Id: id, Deleted: peers.RetireAsync(id, map.Epoch))).ToArray();
        await Task.WhenAll(asked.Select(retire => (Task)retire.Deleted))
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        var left = asked.Where(retire => !retire.Deleted.IsCompletedSuccessfully || !retire.Deleted.Result).Select(retire => retire.Id).ToArray();
        if (left.Length < asked.Length)
        {
            await KeepMapAsync(map.WithRetiring(left)).ConfigureAwait(true);
        }
    }

    /// <summary>Keeps <paramref name="map"/> in the store, then holds it.</summary>
    private async Task KeepMapAsync(PartitionMap map)
    {
        try
        {
            await _stored.WritePartitionsAsync(map).ConfigureAwait(true);
        }
        catch (Exception e) when (e is IOException or StaleEpochException or UnauthorizedAccessException)
        {
            throw new StoreFailedException($"space '{Name}': its partition map could not be written ({e.Message}); the partitions are unchanged", e);
        }

        Holds(map);
    }

    private WrongPartitionException Moved(long epoch) =>
        new($"space '{PartitionNames.Parse(Name).Space}': partition {Partition} holds none of the space's atoms now (its map is of epoch {epoch}); nothing was done")
        { Epoch = epoch };
}
