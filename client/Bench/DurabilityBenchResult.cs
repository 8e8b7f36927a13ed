using System.Text.Json.Serialization;

namespace OrleansKb.Cli.Bench;

/// <summary>The figures of <c>orleanskb bench durability</c>, in nanoseconds per fact (or atom).</summary>
internal sealed record DurabilityBenchResult(
    int Facts,
    double MemoryLoadNs,
    double DurableLoadNs,
    double DurableVsMemory,
    double SnapshotNs,
    double RecoveryNs,
    double ReplayNs)
{
    /// <summary>The longest a <c>count</c> of the space waited while the snapshot was written (not in the JSON, whose keys are fixed).</summary>
    [JsonIgnore]
    public double LongestCountDuringSnapshotMs { get; init; }
}
