using System.Globalization;

namespace OrleansKb.Persistence;

/// <summary>
/// Spaces in a data directory on local disk (docs/durability.md): one folder per space, holding its
/// log segments and its newest snapshots. The directory belongs to one process at a time: the store
/// holds <c>orleanskb.lock</c> open and locked for its whole life, and a second process that opens
/// the same directory gets a <see cref="DataDirectoryInUseException"/>.
/// </summary>
public sealed class FileSpaceStore : ISpaceStore, IDisposable
{
    private const string LockFileName = "orleanskb.lock";
    private const string OwnerFileName = "owner";
    private readonly FileStream _lock;
    private readonly Dictionary<string, long> _epochs = new(StringComparer.Ordinal);

    // The silos' memory reports: only silos of this process share a data directory (a test cluster's).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SiloMemoryReport> _siloMemory = new(StringComparer.Ordinal);

    /// <summary>Opens (creating if needed) the data directory <paramref name="directory"/> and takes its lock.</summary>
    public FileSpaceStore(string directory, long segmentBytes = DefaultSegmentBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentBytes, 4096);
        DataDirectory = Path.GetFullPath(directory);
        SegmentBytes = segmentBytes;
        OwnerOnly.CreateDirectory(Path.Combine(DataDirectory, "spaces"));
        var lockPath = Path.Combine(DataDirectory, LockFileName);
        var ownerPath = Path.Combine(DataDirectory, OwnerFileName);
        try
        {
            // FileShare.None is an exclusive lock on the file (flock on Unix), released when the process ends.
            _lock = OwnerOnly.Open(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException && IsLocked(lockPath))
        {
            var owner = File.Exists(ownerPath) ? $" ({File.ReadAllText(ownerPath).Trim()})" : "";
            throw new DataDirectoryInUseException(
                $"the data directory {DataDirectory} is in use by another OrleansKb process{owner}: two silos writing one directory would corrupt it; stop that one, or give this one another data directory",
                e);
        }

        OwnerOnly.WriteAllText(ownerPath, string.Create(CultureInfo.InvariantCulture, $"process {Environment.ProcessId} since {DateTime.UtcNow:u}"));

        // Folders of deleted spaces that a crash left before they were gone.
        var deleted = Path.Combine(DataDirectory, DeletedFolder);
        if (Directory.Exists(deleted))
        {
            Directory.Delete(deleted, recursive: true);
        }
    }

    // Where a deleted space's folder is moved (one rename, so a crash leaves the whole space or none of
    // it under spaces/) before its files are deleted.
    private const string DeletedFolder = "deleted";

    /// <summary>
    /// Where a silo (and <c>orleanskb --embedded</c>) keeps its data unless told otherwise: the folder
    /// <c>orleanskb</c> in the user's local application data (<c>~/.local/share/orleanskb</c> on Linux).
    /// </summary>
    public static string DefaultDirectory
    {
        get
        {
            var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
            return Path.Combine(string.IsNullOrEmpty(local) ? Path.Combine(Path.GetTempPath(), "orleanskb-data") : local, "orleanskb");
        }
    }

    /// <summary>A new log segment is started when the current one passes this size.</summary>
    public const long DefaultSegmentBytes = 64L << 20;

    /// <summary>The data directory, as a full path.</summary>
    public string DataDirectory { get; }

    public long SegmentBytes { get; }

    public string Description => $"file {DataDirectory}";

    /// <inheritdoc/>
    public Task CheckAsync(CancellationToken cancellationToken = default) =>
        Directory.Exists(Path.Combine(DataDirectory, "spaces")) ? Task.CompletedTask : Task.FromException(new IOException($"{Description}: the spaces folder is gone"));

    public bool KeepsSpaces => true;

    public Task<IStoredSpace> OpenAsync(string space, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(space);
        var folder = FolderOf(space);
        long epoch;
        lock (_epochs)
        {
            OwnerOnly.CreateDirectory(folder);
            var namePath = Path.Combine(folder, "name");
            if (!File.Exists(namePath))
            {
                OwnerOnly.WriteAllText(namePath, space);
            }

            epoch = _epochs[space] = _epochs.GetValueOrDefault(space) + 1;
        }

        return Task.FromResult<IStoredSpace>(new FileStoredSpace(this, space, folder, epoch));
    }

    public Task<long> RecoveryBytesOfAsync(string space, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(space);
        return Task.FromResult(FileStoredSpace.RecoveryBytesIn(FolderOf(space)));
    }

    public Task ReportSiloMemoryAsync(SiloMemoryReport report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        _siloMemory[report.Silo] = report with { At = DateTimeOffset.UtcNow };
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<SiloMemoryReport>> SiloMemoryReportsAsync(TimeSpan within, CancellationToken cancellationToken = default)
    {
        var since = DateTimeOffset.UtcNow - within;
        return Task.FromResult<IReadOnlyList<SiloMemoryReport>>([.. _siloMemory.Values.Where(report => report.At >= since)]);
    }

    public void Dispose() => _lock.Dispose();

    /// <summary>
    /// True if another process holds the lock: a shared open of the file fails too. (Another cause,
    /// a read-only disk say, lets the shared open through, and its own error is reported instead.)
    /// The lock is advisory (flock on Unix): it holds between OrleansKb processes on a local disk,
    /// not on a network file system that ignores locks.
    /// </summary>
    private static bool IsLocked(string lockPath)
    {
        try
        {
            using var probe = new FileStream(lockPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>True while no newer handle on <paramref name="space"/> has been opened.</summary>
    private string FolderOf(string space) => Path.Combine(DataDirectory, "spaces", SpaceFolderName.For(space));

    /// <summary>
    /// Deletes the folder of <paramref name="space"/> if the activation of <paramref name="epoch"/> is
    /// still its current one: moved aside at once (the space is gone), then its files deleted.
    /// </summary>
    internal void Delete(string space, long epoch)
    {
        var aside = Path.Combine(DataDirectory, DeletedFolder, Guid.NewGuid().ToString("N"));
        lock (_epochs)
        {
            if (_epochs.GetValueOrDefault(space) != epoch)
            {
                throw new StaleEpochException($"space '{space}' was opened again since this activation (epoch {epoch}) opened it; it may no longer delete it");
            }

            OwnerOnly.CreateDirectory(Path.GetDirectoryName(aside)!);
            Directory.Move(FolderOf(space), aside);
            DirectoryFlush.Flush(Path.Combine(DataDirectory, "spaces"));
        }

        Directory.Delete(aside, recursive: true);
    }

    internal bool IsCurrent(string space, long epoch)
    {
        lock (_epochs)
        {
            return _epochs.GetValueOrDefault(space) == epoch;
        }
    }
}
