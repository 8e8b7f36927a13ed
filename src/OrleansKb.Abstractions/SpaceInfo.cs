using Orleans;

namespace OrleansKb;

/// <summary>What a space is and where: its atoms and rules, the silo hosting it, and the matches open on it.</summary>
[GenerateSerializer]
[Immutable]
[Alias("OrleansKb.SpaceInfo")]
public sealed record SpaceInfo(
    [property: Id(0)] string Space,
    [property: Id(1)] long Atoms,
    [property: Id(2)] long Rules,
    [property: Id(3)] string Silo,
    [property: Id(4)] int OpenMatches);
