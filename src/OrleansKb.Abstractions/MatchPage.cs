using Orleans;

namespace OrleansKb;

/// <summary>
/// One page of a match: the results found since the last page (none when only counting), how many
/// solutions that is, and the match to ask for the next page of — <see cref="MatchId.None"/> once it
/// has finished. A page may hold no results and still not be the last: the grain ends a page after a
/// short slice of work, so that other calls on the space are served between pages.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("OrleansKb.MatchPage")]
public sealed record MatchPage(
    [property: Id(0)] MatchId Match,
    [property: Id(1)] AtomBatch Results,
    [property: Id(2)] long Solutions)
{
    /// <summary>True if this is the last page.</summary>
    public bool Finished => Match == MatchId.None;
}
