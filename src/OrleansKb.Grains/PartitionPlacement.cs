using Orleans.Placement;

namespace OrleansKb.Grains;

/// <summary>
/// Where a space's grains are activated (docs/cluster.md, "Placement"): partition <c>k</c> of a
/// space on silo (<c>h + k</c>) mod <c>n</c> of the <c>n</c> silos that can host it in address order,
/// <c>h</c> a stable hash of the space's name — so a space's partitions are spread over the silos
/// one by one, and different spaces start on different silos.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("OrleansKb.PartitionPlacement")]
public sealed class PartitionPlacement : PlacementStrategy
{
    internal static PartitionPlacement Instance { get; } = new();
}
