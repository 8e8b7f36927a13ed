using Orleans;

namespace OrleansKb;

/// <summary>
/// What a partition tells its space's partition 0 of the values it holds at later arguments, as it
/// travels (docs/cluster.md, "Lookups by a later argument"): the whole bitset of 2^<c>Log2Bits</c>
/// bits (<c>Words</c>), or the bits a change set (<c>Fresh</c>); and whether it holds atoms with variables.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("OrleansKb.SpaceArgumentSummary")]
public sealed record SpaceArgumentSummary(
    [property: Id(0)] int Partition,
    [property: Id(1)] int Log2Bits,
    [property: Id(2)] bool HoldsVariables,
    [property: Id(3)] int[]? Fresh,
    [property: Id(4)] ulong[]? Words);
