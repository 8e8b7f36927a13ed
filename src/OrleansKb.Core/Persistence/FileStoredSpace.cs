using System.Buffers;
using System.Globalization;

namespace OrleansKb.Persistence;

/// <summary>
/// One space of a <see cref="FileSpaceStore"/>: its folder of log segments and snapshots
/// (docs/durability.md). Appends go to a buffer that one flusher writes and flushes to disk; every
/// append waiting when a flush starts completes with it (group commit).
/// </summary>
internal sealed class FileStoredSpace : IStoredSpace
{
    // The space's partition map (docs/cluster.md), when it was ever divided.
    private const string PartitionsFile = "partitions";

    private readonly FileSpaceStore _store;
    private readonly string _name;
    private readonly string _folder;
    private readonly Lock _sync = new();
    private readonly SortedList<long, string> _segments = [];
    private readonly SortedList<long, string> _snapshots = [];
    private long _snapshotAtoms;
    private long _logBytes;

    // The segment records are being written to by the flusher, and where appends now go.
    private FileStream? _active;
    private long _activeFirst = -1;
    private long _writeSegment = -1;
    private long _writeSegmentBytes;
    private bool _rotateNext;

    // The segment a clear began, until the flush that makes the clear durable drops what came before it.
    private long _clearSegment = -1;

    // Group commit: chunks of encoded records per segment, written and flushed to disk together.
    private readonly GroupCommit<List<(long Segment, ArrayBufferWriter<byte> Bytes)>> _commits;
    private long _activeDurableLength;

    // Set once this activation deleted the space (DeleteAsync).
    private bool _deleted;

    /// <summary>How many flushes have made appends durable: fewer than the appends when they are grouped.</summary>
    internal long Flushes => _commits.Commits;

    public FileStoredSpace(FileSpaceStore store, string name, string folder, long epoch)
    {
        _store = store;
        _name = name;
        _folder = folder;
        Epoch = epoch;
        _commits = new(_sync, () => [], chunks =>
        {
            Flush(chunks);
            return Task.CompletedTask;
        });
        foreach (var path in Directory.EnumerateFiles(folder, "*.tmp"))
        {
            // A snapshot a crash interrupted before it was published: never current.
            File.Delete(path);
        }

        Scan(folder, _segments, _snapshots);
    }

    public long Epoch { get; }

    public Spaces.PartitionMap? Partitions { get; private set; }

    public StoredSpaceStats Stats
    {
        get
        {
            lock (_sync)
            {
                return new StoredSpaceStats(_logBytes, _snapshots.Count > 0 ? _snapshots.Keys[^1] : 0, _snapshotAtoms);
            }
        }
    }

    public Task<long> RecoveryBytesAsync(CancellationToken cancellationToken = default) => Task.FromResult(RecoveryBytes(_segments, _snapshots));

    /// <summary>What recovering the space kept in <paramref name="folder"/> reads (<see cref="RecoveryBytesAsync"/>), without opening it; 0 if there is no such folder.</summary>
    internal static long RecoveryBytesIn(string folder)
    {
        var (segments, snapshots) = (new SortedList<long, string>(), new SortedList<long, string>());
        try
        {
            Scan(folder, segments, snapshots);
        }
        catch (DirectoryNotFoundException)
        {
            return 0;
        }

        return RecoveryBytes(segments, snapshots);
    }

    private static long RecoveryBytes(SortedList<long, string> segments, SortedList<long, string> snapshots)
    {
        var snapshot = snapshots.Count > 0 ? snapshots.Keys[^1] : 0;
        var bytes = snapshots.Count > 0 ? new FileInfo(snapshots.Values[^1]).Length : 0;
        for (var i = 0; i < segments.Count; i++)
        {
            bytes += CoveredBySnapshot(segments, i, snapshot) ? 0 : new FileInfo(segments.Values[i]).Length;
        }

        return bytes;
    }

    /// <summary>The log segments and snapshots in <paramref name="folder"/>, by the sequence in their names.</summary>
    private static void Scan(string folder, SortedList<long, string> segments, SortedList<long, string> snapshots)
    {
        foreach (var path in Directory.EnumerateFiles(folder))
        {
            var file = Path.GetFileName(path);
            if (Numbered(file, "log-", ".seg") is { } first)
            {
                segments.Add(first, path);
            }
            else if (Numbered(file, "snapshot-", ".snap") is { } sequence)
            {
                snapshots.Add(sequence, path);
            }
        }
    }

    public Task<long> RecoverAsync(ISpaceRecovery into, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(into);
        Partitions = ReadPartitions();
        long snapshot = 0;
        if (_snapshots.Count > 0)
        {
            var (sequence, atoms) = SnapshotFormat.Read(_snapshots.Values[^1], into);
            if (sequence != _snapshots.Keys[^1])
            {
                throw new StoreCorruptedException($"{_snapshots.Values[^1]}: holds the snapshot of record {sequence:N0}, not of the record its name says");
            }

            (snapshot, _snapshotAtoms) = (sequence, atoms);
        }

        var last = snapshot;
        long lastInLog = 0;
        for (var i = 0; i < _segments.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var isLast = i == _segments.Count - 1;
            var path = _segments.Values[i];
            if (CoveredBySnapshot(i, snapshot))
            {
                // Wholly covered by the snapshot: kept only in case the newest snapshot is lost.
                Interlocked.Add(ref _logBytes, new FileInfo(path).Length);
                continue;
            }

            var end = LogSegmentFormat.Read(path, isLast, _segments.Keys[i], record =>
            {
                lastInLog = record.Sequence;
                if (record.Sequence <= snapshot)
                {
                    return;
                }

                if (record.Sequence != last + 1)
                {
                    throw new StoreCorruptedException($"{path}: the log jumps from record {last:N0} to {record.Sequence:N0}; the records between are missing");
                }

                into.Record(record);
                last = record.Sequence;
            });
            if (isLast && CutTornTail(path, end) is { } torn)
            {
                into.TornTail(torn.KeptIn, torn.Bytes);
            }

            if (isLast)
            {
                end = Math.Max(end, LogSegmentFormat.HeaderBytes);
            }

            Interlocked.Add(ref _logBytes, end);
        }

        lock (_sync)
        {
            _commits.Recovered(last);
            if (_segments.Count > 0 && lastInLog >= last)
            {
                // Go on in the last segment, after its records.
                _activeFirst = _writeSegment = _segments.Keys[^1];
                _writeSegmentBytes = _activeDurableLength = new FileInfo(_segments.Values[^1]).Length;
            }
            else
            {
                // No log, or a snapshot ahead of it: the next record starts a segment of its own.
                _writeSegment = -1;
            }
        }

        return Task.FromResult(last);
    }

    public Task Append(LogRecord record)
    {
        lock (_sync)
        {
            CheckWritable();
            _commits.CheckFollows(record.Sequence, _name);

            var size = LogSegmentFormat.RecordBytes(record.Atoms.Length);
            if (record.Operation == LogOperation.Clear)
            {
                // A clear begins a segment of its own: once it is durable, every segment before it can go whole.
                (_rotateNext, _clearSegment) = (true, record.Sequence);
            }

            if (_writeSegment < 0 || _rotateNext || (_writeSegmentBytes > LogSegmentFormat.HeaderBytes && _writeSegmentBytes + size > _store.SegmentBytes))
            {
                (_writeSegment, _writeSegmentBytes, _rotateNext) = (record.Sequence, LogSegmentFormat.HeaderBytes, false);
            }

            var pending = _commits.Pending;
            if (pending.Count == 0 || pending[^1].Segment != _writeSegment)
            {
                pending.Add((_writeSegment, new ArrayBufferWriter<byte>(Math.Max(size, 1 << 16))));
            }

            var buffer = pending[^1].Bytes;
            LogSegmentFormat.Write(record, buffer.GetSpan(size)[..size]);
            buffer.Advance(size);
            _writeSegmentBytes += size;
            return _commits.Added(record.Sequence);
        }
    }

    public Task WritePartitionsAsync(Spaces.PartitionMap map, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(map);
        lock (_sync)
        {
            CheckWritable();
        }

        // Written beside, flushed, then moved over the old one: a crash leaves one map or the other whole.
        var path = Path.Combine(_folder, PartitionsFile);
        var temporary = path + ".tmp";
        using (var file = OwnerOnly.Open(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(map.ToBytes());
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        DirectoryFlush.Flush(_folder);
        Partitions = map;
        return Task.CompletedTask;
    }

    public ISnapshotWriter BeginSnapshot(long sequence)
    {
        lock (_sync)
        {
            CheckWritable();
            _commits.CheckIsLast(sequence, _name);

            // The records after the snapshot go to a new segment, so the ones it covers can be dropped whole.
            _rotateNext = true;
            return new FileSnapshotWriter(this, _folder, sequence);
        }
    }

    public async Task DeleteAsync(CancellationToken cancellationToken = default)
    {
        // No append is taken from now on; those taken before are flushed first, into the folder then deleted.
        lock (_sync)
        {
            CheckWritable();
            _deleted = true;
        }

        await _commits.Idle.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_sync)
        {
            _active?.Dispose();
            _active = null;
            _store.Delete(_name, Epoch);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _commits.Idle.ConfigureAwait(false);
        lock (_sync)
        {
            _active?.Dispose();
            _active = null;
        }
    }

    /// <summary>Completes once every record up to <paramref name="sequence"/> is on disk (at once if it already is).</summary>
    internal Task DurableThrough(long sequence) => _commits.DurableThrough(sequence);

    /// <summary>
    /// Makes a written snapshot current (renamed into place, the folder flushed), then drops what it
    /// makes unnecessary: the snapshots but one before it and the log they cover, or — the empty
    /// snapshot of a clear — every snapshot and segment before it. A snapshot older than the current
    /// one (begun before a clear) is discarded.
    /// </summary>
    internal void Publish(long sequence, string temporary, long atoms, bool cleared = false)
    {
        lock (_sync)
        {
            CheckWritable();
            if (_snapshots.Count > 0 && sequence < _snapshots.Keys[^1])
            {
                File.Delete(temporary);
                return;
            }
        }

        var path = Path.Combine(_folder, $"snapshot-{sequence:D20}.snap");
        File.Move(temporary, path, overwrite: true);
        DirectoryFlush.Flush(_folder);
        var dropped = new List<string>();
        lock (_sync)
        {
            _snapshots[sequence] = path;
            _snapshotAtoms = atoms;
            while (_snapshots.Count > (cleared ? 1 : 2))
            {
                dropped.Add(_snapshots.Values[0]);
                _snapshots.RemoveAt(0);
            }

            // Keep the log after the older snapshot: with it, losing the newest snapshot loses nothing.
            // After a clear, the segments before the clear's own.
            if (_snapshots.Count == 2 || cleared)
            {
                var older = _snapshots.Keys[0];
                while (_segments.Count > 1 && (cleared ? _segments.Keys[0] < sequence : _segments.Keys[1] <= older + 1) && _segments.Keys[0] != _activeFirst)
                {
                    var segment = _segments.Values[0];
                    Interlocked.Add(ref _logBytes, -new FileInfo(segment).Length);
                    dropped.Add(segment);
                    _segments.RemoveAt(0);
                }
            }
        }

        foreach (var file in dropped)
        {
            File.Delete(file);
        }
    }

    private Spaces.PartitionMap? ReadPartitions()
    {
        var path = Path.Combine(_folder, PartitionsFile);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return Spaces.PartitionMap.FromBytes(File.ReadAllBytes(path));
        }
        catch (InvalidDataException e)
        {
            throw new StoreCorruptedException($"{path}: {e.Message}", e);
        }
    }

    private static long? Numbered(string file, string prefix, string suffix) =>
        file.StartsWith(prefix, StringComparison.Ordinal) && file.EndsWith(suffix, StringComparison.Ordinal)
        && long.TryParse(file.AsSpan(prefix.Length, file.Length - prefix.Length - suffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;

    private void CheckWritable()
    {
        if (_deleted)
        {
            throw new InvalidOperationException($"space '{_name}' was deleted by this activation: it writes nothing more");
        }

        if (!_store.IsCurrent(_name, Epoch))
        {
            throw new StaleEpochException($"space '{_name}' was opened again since this activation (epoch {Epoch}) opened it; it may no longer write");
        }

        if (_commits.Failure is { } failure)
        {
            throw new IOException($"space '{_name}': writing its log failed ({failure.Message}); it must be opened again", failure);
        }

        if (!_commits.IsRecovered)
        {
            throw new InvalidOperationException($"space '{_name}' must be recovered before it is written");
        }
    }

    /// <summary>
    /// Cuts a write the crash left unfinished off the end of the last segment (or restores a header it
    /// never got). The bytes cut are kept beside it, in <c>SEGMENT.torn-OFFSET</c>, for whoever wants
    /// to look; returns where, and how many (null if there were none but zeros: space the file system
    /// allocated for a write that never landed).
    /// </summary>
    private static (string KeptIn, long Bytes)? CutTornTail(string path, long end)
    {
        (string, long)? torn = null;
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        if (file.Length > end)
        {
            var cut = new byte[file.Length - end];
            file.Position = end;
            file.ReadExactly(cut);
            if (cut.AsSpan().ContainsAnyExcept((byte)0))
            {
                var keptIn = string.Create(CultureInfo.InvariantCulture, $"{path}.torn-{end}");
                OwnerOnly.WriteAllBytes(keptIn, cut);
                torn = (keptIn, cut.Length);
            }
        }

        if (end < LogSegmentFormat.HeaderBytes)
        {
            file.SetLength(0);
            file.Write(LogSegmentFormat.Header);
        }
        else if (file.Length > end)
        {
            file.SetLength(end);
        }
        else
        {
            return torn;
        }

        file.Flush(flushToDisk: true);
        return torn;
    }

    /// <summary>Writes a group's chunks to their segments and flushes them to disk; after a failure, forgets what it wrote.</summary>
    private void Flush(List<(long Segment, ArrayBufferWriter<byte> Bytes)> chunks)
    {
        try
        {
            // A handle whose space has been opened again must not write behind the new one's back.
            if (!_store.IsCurrent(_name, Epoch))
            {
                throw new StaleEpochException($"space '{_name}' was opened again since this activation (epoch {Epoch}) opened it; its last records were not written");
            }

            long written = 0;
            foreach (var (segment, bytes) in chunks)
            {
                var file = SegmentFile(segment);
                file.Write(bytes.WrittenSpan);
                written += bytes.WrittenCount;
            }

            _active!.Flush(flushToDisk: true);
            _activeDurableLength = _active.Length;
            Interlocked.Add(ref _logBytes, written);
        }
        catch
        {
            ForgetUnflushed();
            throw;
        }

        long clear = -1;
        lock (_sync)
        {
            if (_clearSegment >= 0 && chunks.Exists(chunk => chunk.Segment == _clearSegment))
            {
                (clear, _clearSegment) = (_clearSegment, -1);
            }
        }

        if (clear >= 0)
        {
            // The space is empty at the clear: that is its snapshot, and nothing before it is needed.
            var temporary = Path.Combine(_folder, $"snapshot-{clear:D20}.{Guid.NewGuid():N}.tmp");
            SnapshotFormat.WriteEmpty(temporary, clear);
            Publish(clear, temporary, 0, cleared: true);
        }
    }

    /// <summary>
    /// After a failed flush: cuts the active segment back to what was last flushed, so that the page
    /// cache cannot hand the next activation records that may never reach the disk. Best effort: the
    /// flush has failed already.
    /// </summary>
    private void ForgetUnflushed()
    {
        try
        {
            _active?.SetLength(_activeDurableLength);
            _active?.Flush(flushToDisk: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // The disk refuses even this; the next activation reads what it finds.
        }
    }

    /// <summary>The open file of segment <paramref name="first"/>: the active one, or a new one (the previous flushed and closed first).</summary>
    private FileStream SegmentFile(long first)
    {
        if (_active is not null && _activeFirst == first)
        {
            return _active;
        }

        var path = Path.Combine(_folder, $"log-{first:D20}.seg");
        if (_active is null && _activeFirst == first)
        {
            // The last segment found at recovery: go on after its records.
            _active = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read, 0);
            _active.Seek(0, SeekOrigin.End);
            _activeDurableLength = _active.Length;
            return _active;
        }

        if (_active is not null)
        {
            _active.Flush(flushToDisk: true);
            _active.Dispose();
        }

        // Create, not CreateNew: a segment of this name can only be one a crash left without records.
        _active = OwnerOnly.Open(path, FileMode.Create, FileAccess.Write, FileShare.Read, 0);
        _active.Write(LogSegmentFormat.Header);
        _active.Flush(flushToDisk: true);
        _activeDurableLength = LogSegmentFormat.HeaderBytes;
        DirectoryFlush.Flush(_folder);
        lock (_sync)
        {
            _segments[first] = path;
            _activeFirst = first;
        }

        Interlocked.Add(ref _logBytes, LogSegmentFormat.HeaderBytes);
        return _active;
    }

    /// <summary>Whether log segment <paramref name="i"/> holds only records the snapshot of <paramref name="snapshot"/> covers (the last segment never does).</summary>
    private bool CoveredBySnapshot(int i, long snapshot) => CoveredBySnapshot(_segments, i, snapshot);

    private static bool CoveredBySnapshot(SortedList<long, string> segments, int i, long snapshot) => i < segments.Count - 1 && segments.Keys[i + 1] <= snapshot + 1;
}
