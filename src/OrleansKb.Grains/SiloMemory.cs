using System.Diagnostics;
using System.Runtime;
using Microsoft.Extensions.Options;
using OrleansKb.Diagnostics;
using OrleansKb.Persistence;
using OrleansKb.Storage;

namespace OrleansKb.Grains;

/// <summary>
/// The silo's memory budget and its admission of writes (docs/cluster.md, "Memory"): a write that
/// would take the managed heap past the high-water mark is refused before any of it is done, with a
/// <see cref="SpaceMemoryException"/> that says what the space and the silo hold and what to do. Near
/// the mark the heap is measured after a full, compacting collection (at most one a second), so
/// garbage waiting to be collected does not refuse a write that fits.
/// </summary>
public sealed class SiloMemory
{
    // What a write of n encoded bytes may take while it is applied and after: the validated copy, the
    // trie's and the argument index's nodes, the log's buffer (kept: 246 MB of trie and index for a
    // 204 MB log of (fact …) atoms, about 1.2 bytes per encoded byte; plus the copies in flight).
    private const int BytesPerEncodedByte = 3;

    /// <summary>What a client refused for memory can do, as its message says.</summary>
    public const string MakeRoom = "give the silo more memory (MaxMemory, DOTNET_GCHeapHardLimit), add a silo, or divide the space into partitions (load --partitions, repartition)";

    private static readonly TimeSpan CollectionPause = TimeSpan.FromSeconds(1);

    private readonly int _percent;
    private long _lastCollection;

    public SiloMemory(IOptions<MemoryOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var collector = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        Budget = options.Value.MaxMemory > 0 ? Math.Min(options.Value.MaxMemory, collector) : collector;
        _percent = options.Value.MemoryHighWaterPercent;
        HighWater = Budget / 100 * _percent;
        KbMetrics.ObserveMemory(() => Budget, () => HighWater, () => Used);
    }

    /// <summary>The most memory the silo's spaces may take, in bytes.</summary>
    public long Budget { get; }

    /// <summary>The heap size past which writes are refused.</summary>
    public long HighWater { get; }

    /// <summary>The managed heap's size now (what is alive, and garbage not collected yet).</summary>
    public static long Used => GC.GetTotalMemory(forceFullCollection: false);

    /// <summary>Whether the heap is past the high-water mark now (the silo reports itself degraded).</summary>
    public bool AboveHighWater => Used > HighWater;

    /// <summary>
    /// The latest memory report of every silo sharing the store, this one's included, as the silo's
    /// reporter last read them every two seconds (empty until then, and with a store no other silo shares).
    /// </summary>
    public IReadOnlyList<SiloMemoryReport> Cluster { get; set; } = [];

    /// <summary>This silo's memory as it reports it, named <paramref name="silo"/>.</summary>
    public SiloMemoryReport ReportAs(string silo, DateTimeOffset at) => new(silo, Budget, HighWater, Used, at);

    /// <summary>The least memory recovering a space whose store holds <paramref name="bytes"/> to read needs: half of it (<see cref="AdmitRecovery"/>).</summary>
    public static long RecoveryNeeds(long bytes) => bytes / 2;

    /// <summary>
    /// Where a space that needs <paramref name="needed"/> bytes to open goes, of <paramref name="silos"/>
    /// in the order the placement rule prefers them (docs/cluster.md, "Placing a space where it fits"):
    /// the first one whose last report leaves room for it below its high-water mark; the preferred one
    /// if it has not reported (nothing is known against it); else the first that has not reported; else,
    /// when none has room, the preferred one, which refuses it and says so.
    /// </summary>
    public static int PlaceWhereItFits(IReadOnlyList<string> silos, IReadOnlyList<SiloMemoryReport> reports, long needed)
    {
        ArgumentNullException.ThrowIfNull(silos);
        ArgumentNullException.ThrowIfNull(reports);
        var reported = silos.Select(silo => reports.FirstOrDefault(report => report.Silo == silo)).ToArray();
        if (reported.Length == 0 || reported[0] is null)
        {
            return 0;
        }

        var fitting = Array.FindIndex(reported, report => report is not null && report.Headroom >= needed);
        return fitting >= 0 ? fitting : Math.Max(0, Array.FindIndex(reported, report => report is null));
    }

    /// <summary>
    /// Refuses a write of <paramref name="bytes"/> encoded bytes to <paramref name="space"/> (whose trie
    /// and argument index hold <paramref name="trie"/> and <paramref name="index"/>) if it would take the
    /// heap past the mark. A trie's arenas grow by doubling, the old array alive while it is copied into
    /// the new one: a write the arenas have no room left for may need twice their size at once.
    /// <paramref name="summaryGrowth"/> is what a partition's argument summary sized anew by the write
    /// may take (<see cref="DurableSpace.ArgumentsGrowth"/>).
    /// </summary>
    public void Admit(string space, long bytes, TrieMemory trie, TrieMemory index, long summaryGrowth = 0)
    {
        var needed = (bytes * BytesPerEncodedByte) + summaryGrowth;
        var allocated = trie.AllocatedBytes + index.AllocatedBytes;
        if (allocated - trie.LiveBytes - trie.GarbageBytes - index.LiveBytes - index.GarbageBytes < needed)
        {
            needed += 2 * allocated;
        }

        if (Used + needed <= HighWater)
        {
            return;
        }

        // Garbage may be most of what is over the mark: measured again after a full collection.
        var used = CollectedUsed();
        if (used + needed <= HighWater)
        {
            return;
        }

        KbMetrics.WriteRefused();
        throw new SpaceMemoryException(
            $"space '{space}' was refused a write of {Size(bytes)}: it would need up to {Size(needed)} more memory, and the silo's heap holds {Size(used)} of its {Size(Budget)} memory budget (high-water mark {Size(HighWater)}, {_percent} %); the space's trie and index hold {Size(trie.LiveBytes + index.LiveBytes)} in arenas of {Size(allocated)}; "
            + $"nothing of the write was applied and reads still work; {MakeRoom}");
    }

    /// <summary>
    /// Refuses to recover <paramref name="space"/>, whose store holds <paramref name="bytes"/> to read
    /// (its snapshot and log), when even half of that — less than any space recovered from them has
    /// needed — would take the heap past the mark: the space is not opened, nothing is read, and the
    /// silo's other spaces are unharmed. A space that passes may still need more than that.
    /// </summary>
    /// <param name="silo">This silo's name in <see cref="Cluster"/>: the other silos' reports say whether one has room.</param>
    public void AdmitRecovery(string space, long bytes, string silo)
    {
        var needed = RecoveryNeeds(bytes);
        if (Used + needed <= HighWater || CollectedUsed() + needed <= HighWater)
        {
            return;
        }

        var others = Cluster.Where(report => report.Silo != silo).ToArray();
        var elsewhere = others.FirstOrDefault(report => report.Headroom >= needed) is { } roomy
            ? $"silo {roomy.Silo} reports room for it: called again, it is opened there; "
            : others.Length switch
            {
                0 => "",
                1 => "the cluster's other silo has no room for it either; ",
                _ => $"none of the cluster's {others.Length} other silos has room for it either; ",
            };
        throw new SpaceMemoryException(
            $"space '{space}' was not opened: recovering it reads {Size(bytes)} from its store (its snapshot and log) and needs at least {Size(needed)} of memory, and the silo's heap holds {Size(Used)} of its {Size(Budget)} memory budget (high-water mark {Size(HighWater)}, {_percent} %); "
            + $"nothing was read and the silo's other spaces are unharmed; {elsewhere}open it on a silo with more memory (MaxMemory, DOTNET_GCHeapHardLimit), add a silo, or make room here (clear or unload other spaces)");
    }

    /// <summary>The heap after a full, compacting collection (unless one ran a moment ago: then as it is).</summary>
    private long CollectedUsed()
    {
        var last = Interlocked.Read(ref _lastCollection);
        if (Stopwatch.GetElapsedTime(last) >= CollectionPause && Interlocked.CompareExchange(ref _lastCollection, Stopwatch.GetTimestamp(), last) == last)
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        }

        return Used;
    }

    /// <summary>A number of bytes as people read it (MiB or GiB, one decimal).</summary>
    public static string Size(long bytes) => bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):N1} GiB" : $"{bytes / (double)(1L << 20):N1} MiB";
}
