using System.Diagnostics;
using OrleansKb.Codec;
using OrleansKb.Diagnostics;
using OrleansKb.Persistence;

namespace OrleansKb.Spaces;

/// <summary>
/// A space kept in a store (docs/durability.md): one <see cref="AtomSpace"/> and its
/// <see cref="IStoredSpace"/>, recovered when opened.
/// <para>
/// A change is validated whole, applied to memory, and what it changed (an add's new atoms, a
/// remove's present ones) appended to the log — all before the call first waits, so the log's order
/// is memory's order — then acknowledged once the append is durable. A change that changes nothing
/// appends nothing, and is acknowledged once every change before it is durable. Calls may overlap
/// while they wait (a reentrant grain's turns): changes made meanwhile are made durable by the next
/// flush together (group commit). After a store failure memory may be ahead of the log: the space
/// refuses further changes and must be opened again, which recovers exactly what is durable.
/// </para>
/// <para>
/// Snapshots are taken in the background once the log has grown by the given number of bytes since
/// the last, one at a time, a page at a time (<see cref="SpaceCheckpoint"/>), without holding the space.
/// Not thread-safe: one caller at a time, as a grain's turns are.
/// </para>
/// </summary>
public sealed partial class DurableSpace : IAsyncDisposable
{
    // A cleared space this large gives its memory back to the machine at once (ClearAsync).
    private const long ReleaseAfterClearBytes = 64L << 20;

    // A partition's atoms are copied to new partitions in batches this large, two per new partition
    // on their way at once (one being made durable while the next is applied), within these bounds.
    private const int CopyBatchBytes = 1 << 20;
    private const int MinCopyBatchesInFlight = 4;
    private const int MaxCopyBatchesInFlight = 32;

    /// <summary>How long a change waits while its partition leaves the map before it is refused, to be sent again (docs/cluster.md).</summary>
    public static readonly TimeSpan HoldLimit = TimeSpan.FromSeconds(10);

    // The argument index catches up once the space has had no change for a moment (a load is over),
    // in turns this long.
    private static readonly TimeSpan IndexingQuiet = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan IndexingTurn = TimeSpan.FromMilliseconds(20);

    /// <summary>How long a new partition of a change not yet known to be committed waits after the last copy reached it before it indexes.</summary>
    private static readonly TimeSpan FillingQuiet = TimeSpan.FromSeconds(10);

    private readonly ISpaceStore _store;
    private readonly IStoredSpace _stored;
    private readonly long _snapshotLogBytes;
    private readonly IDurableSpaceObserver _observer;
    private readonly TimeProvider _time;
    private long _sequence;
    private long _logBytesSinceSnapshot;
    private Task _lastAppend = Task.CompletedTask;
    private Task _snapshot = Task.CompletedTask;
    private long _snapshotSequence = -1;
    private Exception? _failure;
    private long _lastChange;
    private int _partitionIndex;

    // Changes of the map run one at a time (on partition 0): the latest one asked for.
    private Task _mapChange = Task.CompletedTask;

    // While this partition leaves the map for the one of _sealEpoch, its changes wait for this.
    private TaskCompletionSource? _seal;
    private long _sealEpoch;
    private long? _retiredEpoch;

    // Set once a retired partition deleted what its store kept of it (DropAsync).
    private bool _deleted;

    // Set while this partition is new in a change of the map not yet known to be committed (Committed).
    private bool _filling;

    // A partition of a divided space: what it holds at its later arguments, as partition 0 is told it.
    private ArgumentSummary? _arguments;
    private bool _toldVariables;

    private DurableSpace(string name, ISpaceStore store, IStoredSpace stored, long snapshotLogBytes, IDurableSpaceObserver observer, TimeProvider time)
    {
        (Name, _store, _stored, _snapshotLogBytes, _observer, _time) = (name, store, stored, snapshotLogBytes, observer, time);
        Partition = PartitionNames.Parse(name).Partition;
    }

    public string Name { get; }

    /// <summary>Which partition of its space this is (docs/cluster.md): 0 for a space never divided.</summary>
    public int Partition { get; }

    /// <summary>The space's partition map as this partition knows it: <see cref="PartitionMap.Single"/> until divided.</summary>
    public PartitionMap Partitions { get; private set; } = PartitionMap.Single;

    /// <summary>The space's atoms, for reading; change them through this type only.</summary>
    public AtomSpace Atoms { get; } = new();

    /// <summary>The epoch this activation opened the space with.</summary>
    public long Epoch => _stored.Epoch;

    /// <summary>The log's size and the snapshot's sequence and atoms.</summary>
    public StoredSpaceStats Stats => _stored.Stats;

    /// <summary>How long opening took to recover the space from its store.</summary>
    public TimeSpan RecoveryTime { get; private set; }

    /// <summary>The bytes recovery cut off the end of the log as a torn tail (0 when there were none).</summary>
    public long TornTailBytes { get; private set; }

    /// <summary>
    /// How a partition of a divided space tells partition 0 what a change added at its later arguments
    /// (<see cref="ArgumentDirectory"/>), before the change is acknowledged; null: it tells no one
    /// (tests of partitions in memory). Set by the host once the space is open.
    /// </summary>
    public Func<ArgumentSummaryUpdate, Task>? TellArguments { get; set; }

    /// <summary>
    /// The memory a change of <paramref name="batchBytes"/> encoded bytes may take besides its atoms: its
    /// partition's argument summary sized anew (<see cref="ArgumentSummary.GrowthIfAdding"/>; an atom
    /// holds at most one item per three of its bytes). 0 for a space never divided.
    /// </summary>
    public long ArgumentsGrowth(long batchBytes) => _arguments?.GrowthIfAdding(batchBytes / 3, Atoms.Count) ?? 0;

    /// <summary>What this partition holds at its later arguments, whole (null when it holds no range of a divided space).</summary>
    public ArgumentSummaryUpdate? ArgumentsWhole() =>
        _arguments is { } summary ? new ArgumentSummaryUpdate(Partition, summary.Log2Bits, Atoms.HoldsVariables, null, summary.Words.ToArray()) : null;

    /// <summary>
    /// Opens a space from <paramref name="store"/> (creating it if new) and recovers it. A store that
    /// cannot open it, or holds it damaged, is a <see cref="StoreFailedException"/>. Before recovering,
    /// <paramref name="admitRecovery"/> is told the bytes recovery will read, and may refuse by throwing
    /// (a host short of memory): nothing is then read, and the exception is the caller's.
    /// </summary>
    public static async Task<DurableSpace> OpenAsync(
        string name, ISpaceStore store, long snapshotLogBytes, IDurableSpaceObserver observer, TimeProvider? time = null, Action<long>? admitRecovery = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(observer);
        IStoredSpace? stored = null;
        try
        {
            stored = await store.OpenAsync(name, cancellationToken).ConfigureAwait(true);
            admitRecovery?.Invoke(await stored.RecoveryBytesAsync(cancellationToken).ConfigureAwait(true));
            var space = new DurableSpace(name, store, stored, snapshotLogBytes, observer, time ?? TimeProvider.System);
            var recovery = space.Atoms.StartRecovery();
            var started = Stopwatch.GetTimestamp();
            space._sequence = await stored.RecoverAsync(recovery, cancellationToken).ConfigureAwait(true);
            recovery.Finish();
            space.Holds(stored.Partitions ?? PartitionMap.Single);
            space.RecoveryTime = Stopwatch.GetElapsedTime(started);
            KbMetrics.Recovered(space.RecoveryTime);

            // The log since the snapshot counts toward the next one, whichever activation wrote it.
            space._logBytesSinceSnapshot = recovery.BytesReplayed;
            space.TornTailBytes = recovery.TornTailBytes;
            if (recovery.TornTailKeptIn is { } keptIn)
            {
                observer.TornTail(keptIn, recovery.TornTailBytes);
            }

            if (space._sequence > 0)
            {
                observer.Recovered(space.Atoms.Count, recovery.SnapshotAtomCount, recovery.RecordsReplayed, space.RecoveryTime);
            }

            return space;
        }
        catch (Exception e)
        {
            if (stored is not null)
            {
                await stored.DisposeAsync().ConfigureAwait(true);
            }

            if (e is StoreCorruptedException or IOException or UnauthorizedAccessException)
            {
                throw new StoreFailedException($"space '{name}' cannot be opened from {store.Description}: {e.Message}", e);
            }

            throw;
        }
    }

    /// <summary>Adds a batch of encoded atoms (validated whole first); returns how many were new.</summary>
    public Task<int> AddFactsAsync(ReadOnlyMemory<byte> batch) => ChangeAsync(LogOperation.AddFacts, batch);

    /// <summary>Adds a batch of encoded atoms (validated whole first); returns those that were new (encoded back to back, and how many), once durable.</summary>
    public async Task<(byte[] Atoms, int Count)> AddFactsReportingNewAsync(ReadOnlyMemory<byte> batch)
    {
        (byte[], int) added = ([], 0);
        await ChangeAsync(LogOperation.AddFacts, batch, change => added = (change.Atoms.ToArray(), change.Count)).ConfigureAwait(true);
        return added;
    }

    /// <summary>Adds a batch of rules <c>(= lhs rhs)</c> in order; if any atom is not a rule, none is added.</summary>
    public Task<int> AddRulesAsync(ReadOnlyMemory<byte> batch) => ChangeAsync(LogOperation.AddRules, batch);

    /// <summary>Removes a batch of encoded atoms (validated whole first); returns how many were present.</summary>
    public Task<int> RemoveAsync(ReadOnlyMemory<byte> batch) => ChangeAsync(LogOperation.Remove, batch);

    /// <summary>Removes every atom; a space that held much of the process's memory gives it back at once.</summary>
    public async Task<int> ClearAsync()
    {
        // The argument index is as large as the trie, give or take: both go with a clear.
        var held = Atoms.Memory.AllocatedBytes + Atoms.IndexMemory.AllocatedBytes;
        var cleared = await ChangeAsync(LogOperation.Clear, ReadOnlyMemory<byte>.Empty).ConfigureAwait(true);
        if (held >= ReleaseAfterClearBytes && 4 * held >= GC.GetGCMemoryInfo().HeapSizeBytes)
        {
            // Dropping the arenas makes them garbage, but the GC keeps the memory for reuse unless
            // asked: a space cleared of a large share of the process's memory (a quarter of its heap or
            // more: the heap as the last collection left it, garbage of a recent load included) gives
            // it back to the machine now. This compacts the whole heap once, which pauses the process
            // for a time that grows with what stays live — at most three times what was freed, by the
            // condition above (about 30 ms after clearing 3 million atoms: docs/cluster.md). A small
            // space in a large process is left to the GC.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }

        return cleared;
    }

    /// <summary>
    /// Takes a snapshot now, after any being taken, unless the newest already covers every change;
    /// completes once it is published. A store that keeps nothing takes none.
    /// </summary>
    public async Task SnapshotAsync()
    {
        // One at a time: wait for any running (it may have begun before changes this caller expects
        // covered) — and, as calls may overlap, for any another caller started meanwhile.
        while (!_snapshot.IsCompleted)
        {
            await _snapshot.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }

        if (_store.KeepsSpaces && (_snapshotSequence != _sequence || !_snapshot.IsCompletedSuccessfully))
        {
            try
            {
                await StartSnapshot().ConfigureAwait(true);
            }
            catch (Exception e) when (e is IOException or StaleEpochException or UnauthorizedAccessException)
            {
                throw new StoreFailedException($"space '{Name}': the snapshot failed ({e.Message}); the log still holds every change", e);
            }
        }
    }

    /// <summary>
    /// One turn of bringing the argument index up to date, once the space has had no change for a
    /// moment (a load is over); true once it has caught up. The one place a host drives it from.
    /// A partition leaving the map does not index what it is about to drop (once retired, it is done),
    /// and a new one does not while the change that fills it runs (<see cref="Committed"/>).
    /// </summary>
    public bool CatchUpIndex()
    {
        if (Retired)
        {
            return true;
        }

        var quiet = _time.GetElapsedTime(_lastChange);
        return _seal is null && quiet >= (_filling ? FillingQuiet : IndexingQuiet) && Atoms.CatchUpIndex(IndexingTurn);
    }

    /// <summary>Waits for a snapshot being written (until <paramref name="cancellationToken"/>), then closes the store's handle.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        await _snapshot.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        await _stored.DisposeAsync().ConfigureAwait(true);
    }

    public async ValueTask DisposeAsync() => await CloseAsync().ConfigureAwait(true);

    /// <summary>
    /// A change, once this partition takes changes (<see cref="Seal"/>) and unless it left the map.
    /// Awaits stay on the caller's context (a grain's turn).
    /// </summary>
    private async Task<int> ChangeAsync(LogOperation operation, ReadOnlyMemory<byte> batch, Action<ValidatedChange>? show = null)
    {
        while (_seal is { } seal)
        {
            var held = Task.Delay(HoldLimit, _time);
            if (await Task.WhenAny(seal.Task, held).ConfigureAwait(true) == held && _seal == seal)
            {
                throw new WrongPartitionException(
                    $"space '{PartitionNames.Parse(Name).Space}': partition {Partition} is moving to new partitions (map epoch {_sealEpoch}); the change waited {HoldLimit.TotalSeconds:N0} s, nothing of it was applied, and it is to be sent again")
                { Epoch = Partitions.Epoch };
            }
        }

        if (_retiredEpoch is { } retired)
        {
            throw Moved(retired);
        }

        return await ApplyAsync(operation, batch, show).ConfigureAwait(true);
    }

    /// <summary>
    /// A change: validated whole, applied to memory, what it changed appended to the log — all before
    /// the first wait, so the log's order is memory's order — then acknowledged once durable.
    /// <paramref name="show"/> is shown the change once applied (its atoms then those that changed the space).
    /// </summary>
    private async Task<int> ApplyAsync(LogOperation operation, ReadOnlyMemory<byte> batch, Action<ValidatedChange>? show = null)
    {
        if (_failure is not null)
        {
            throw Unavailable(_failure);
        }

        var turn = Stopwatch.GetTimestamp();
        int applied;
        long appended;
        Task? told;
        using (var change = Atoms.Validate(operation, batch.Span))
        {
            CheckRange(change);
            try
            {
                applied = change.Apply();
            }
            catch (Exception e)
            {
                // Part of it may be in memory, none of it in the log: this activation no longer matches its log.
                throw Failed(e);
            }

            appended = Stopwatch.GetTimestamp();

            // A change that changes nothing is logged only if it is a clear (which drops the log before it).
            if (change.Count > 0 || operation == LogOperation.Clear)
            {
                try
                {
                    _lastAppend = _stored.Append(new LogRecord(_sequence + 1, operation, change.Atoms));
                }
                catch (Exception e)
                {
                    throw Failed(e);
                }

                _sequence++;
                _logBytesSinceSnapshot += change.Atoms.Length;
            }

            told = TellAdded(operation, change.Atoms.Span);
            show?.Invoke(change);
        }

        _lastChange = _time.GetTimestamp();
        if (_store.KeepsSpaces && _logBytesSinceSnapshot >= _snapshotLogBytes && _snapshot.IsCompleted)
        {
            try
            {
                // In the background; a failure is told (WriteSnapshot) and the next snapshot tries again.
                _ = StartSnapshot().ContinueWith(t => t.Exception, TaskScheduler.Default);
            }
            catch (Exception e) when (e is IOException or StaleEpochException)
            {
                // The log has failed: awaiting this change's durability below reports it.
                _observer.SnapshotFailed(e, _sequence);
            }
        }

        KbMetrics.TurnEnded(operation, turn);
        try
        {
            // The last append: once it is durable, so is every change before it, this one included.
            await _lastAppend.ConfigureAwait(true);
        }
        catch (Exception e)
        {
            throw Failed(e);
        }

        KbMetrics.AppendDurable(appended);
        if (told is not null)
        {
            try
            {
                await told.ConfigureAwait(true);
            }
            catch
            {
                // Partition 0 may lack these bits: it is told the whole summary with the next change.
                _arguments?.Untold();
                throw;
            }
        }

        KbMetrics.BatchApplied(operation, batch.Length, applied);
        return applied;
    }

    /// <summary>
    /// Adds an add's new atoms to the partition's argument summary (sized anew from every atom once
    /// crowded) and tells partition 0 what that changed; null if nothing is to be told.
    /// </summary>
    private Task? TellAdded(LogOperation operation, ReadOnlySpan<byte> added)
    {
        if (_arguments is not { } summary)
        {
            return null;
        }

        if (operation is LogOperation.AddFacts or LogOperation.AddRules)
        {
            summary.AddAll(added);
            if (summary.IsCrowded)
            {
                _arguments = summary = Atoms.SummarizeArguments(summary.Log2Bits + 1);
            }
        }

        var holdsVariables = Atoms.HoldsVariables;
        if (TellArguments is not { } tell || (!summary.HasFresh && holdsVariables == _toldVariables))
        {
            return null;
        }

        _toldVariables = holdsVariables;
        return tell(summary.TakeFresh() is { } fresh ? new ArgumentSummaryUpdate(Partition, summary.Log2Bits, holdsVariables, fresh, null) : ArgumentsWhole()!);
    }

    private void Holds(PartitionMap map)
    {
        // Partition 0 keeps the map even when it no longer holds a range of it (index −1).
        (Partitions, _partitionIndex) = (map, map.IndexOfPartition(Partition));
        _arguments = _partitionIndex >= 0 && map.Count > 1 ? _arguments ?? Atoms.SummarizeArguments(ArgumentSummary.MinLog2Bits) : null;
    }

    /// <summary>Refuses, before any of it is applied, a change with an atom of another partition's range.</summary>
    private void CheckRange(ValidatedChange change)
    {
        if (_partitionIndex == 0 && Partitions.Count == 1)
        {
            return;
        }

        // This partition's range, compared with each key (rather than searching every split).
        var low = _partitionIndex >= 0 ? Partitions.Low(_partitionIndex) : [];
        var high = _partitionIndex >= 0 ? Partitions.High(_partitionIndex) : null;
        var atoms = change.Atoms.Span;
        for (var at = 0; at < atoms.Length;)
        {
            var length = Codec.EncodedItem.Length(atoms[at..]);
            var key = atoms.Slice(at, length);
            if (_partitionIndex < 0 || key.SequenceCompareTo(low) < 0 || (high is not null && key.SequenceCompareTo(high) >= 0))
            {
                var owner = Partitions.IndexOf(key);
                throw new WrongPartitionException(
                    $"space '{PartitionNames.Parse(Name).Space}': partition {Partition} was sent an atom of partition {Partitions.Ids[owner]} (map epoch {Partitions.Epoch}); nothing of the batch was applied")
                { Epoch = Partitions.Epoch };
            }

            at += length;
        }
    }

    /// <summary>The store failed after memory changed: memory is ahead of what is durable, so the space takes no more changes.</summary>
    private StoreFailedException Failed(Exception cause)
    {
        if (_failure is null)
        {
            _failure = cause;
            _observer.StoreFailed(cause);
        }

        return Unavailable(cause);
    }

    private StoreFailedException Unavailable(Exception cause) =>
        new($"space '{Name}' could not make a change durable ({cause.Message}); the change was not acknowledged, and the space will recover what is durable", cause);

    /// <summary>Starts a snapshot in the background (in this turn: the last record and the rules are taken now).</summary>
    private Task StartSnapshot()
    {
        var checkpoint = SpaceCheckpoint.Begin(Atoms, _stored, _sequence);
        _logBytesSinceSnapshot = 0;
        _snapshotSequence = _sequence;
        return _snapshot = WriteSnapshot(checkpoint);
    }

    private async Task WriteSnapshot(SpaceCheckpoint checkpoint)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var atoms = await checkpoint.WriteAsync().ConfigureAwait(true);
            var elapsed = Stopwatch.GetElapsedTime(started);
            KbMetrics.SnapshotWritten(elapsed);
            _observer.SnapshotWritten(atoms, checkpoint.Sequence, elapsed);
        }
        catch (Exception e) when (e is IOException or StaleEpochException or UnauthorizedAccessException)
        {
            // The log still holds everything: the next snapshot will try again.
            _observer.SnapshotFailed(e, checkpoint.Sequence);
            throw;
        }
    }
}
