using Orleans;

namespace OrleansKb;

/// <summary>
/// What a partition tells a join's coordinator before the join starts (<see cref="IPartitionGrain.JoinStatistics"/>):
/// whether it holds an atom with a variable, and each pattern's solutions alone (<c>Counts</c>) and
/// distinct values per variable (<c>Distinct</c>) in it — null if measuring them took too long.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("OrleansKb.SpaceJoinStatistics")]
public sealed record SpaceJoinStatistics(
    [property: Id(0)] bool HoldsVariables,
    [property: Id(1)] long[]? Counts,
    [property: Id(2)] int[][]? Distinct);
