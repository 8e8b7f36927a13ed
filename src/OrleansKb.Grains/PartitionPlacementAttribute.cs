using Orleans.Placement;

namespace OrleansKb.Grains;

/// <summary>Places a space's grains by <see cref="PartitionPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class PartitionPlacementAttribute() : PlacementAttribute(PartitionPlacement.Instance);
