namespace OrleansKb.Grains;

/// <summary>
/// A silo's memory budget and the mark past which it refuses writes (docs/cluster.md, "Memory"). The
/// silo binds it from its settings (<c>MaxMemory</c>, <c>MemoryHighWaterPercent</c>).
/// </summary>
public sealed class MemoryOptions
{
    /// <summary>
    /// The most memory the silo's spaces may take, in bytes; 0 (the default) takes what the .NET
    /// garbage collector may use: its hard limit (<c>DOTNET_GCHeapHardLimit</c>), else the container's
    /// limit, else the machine's memory. A value above the collector's is lowered to it.
    /// </summary>
    public long MaxMemory { get; set; }

    /// <summary>
    /// The percentage of the budget past which the silo refuses a write (adds of facts or rules, copies
    /// into a partition) before doing any of it; reads, matches, exports, removes and clears go on.
    /// </summary>
    public int MemoryHighWaterPercent { get; set; } = 85;
}
