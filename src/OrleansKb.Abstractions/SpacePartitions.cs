using Orleans;

namespace OrleansKb;

/// <summary>
/// A space's partition map as it travels (docs/cluster.md, "Partitioned spaces"): its epoch, the
/// partitions' numbers in key order, and the encoded keys that begin the second and later ones. A
/// space never divided has epoch 0 and one partition, numbered 0.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("OrleansKb.SpacePartitions")]
public sealed record SpacePartitions(
    [property: Id(0)] long Epoch,
    [property: Id(1)] int[] Ids,
    [property: Id(2)] byte[][] Splits)
{
    /// <summary>
    /// The <c>RequestContext</c> key under which a client sends the epoch of the map it routed a call
    /// by: a partition whose map has another epoch refuses the call (<see cref="PartitionMapChangedException"/>)
    /// before doing anything. A call without it was routed as for a space never divided (epoch 0): so
    /// calls to an undivided space carry nothing more, and a client older than partitioned spaces is
    /// refused by a divided one instead of answered by one partition.
    /// </summary>
    public const string EpochKey = "okb-map-epoch";
}
