using Orleans;

namespace OrleansKb;

/// <summary>What <see cref="IEnvironmentGrain.Repartition"/> did: the map the space then has, the atoms copied to its new partitions, and how long it took.</summary>
[GenerateSerializer]
[Immutable]
[Alias("OrleansKb.RepartitionResult")]
public sealed record RepartitionResult(
    [property: Id(0)] SpacePartitions Map,
    [property: Id(1)] long AtomsMoved,
    [property: Id(2)] double ElapsedMs);
