using Orleans;

namespace OrleansKb;

/// <summary>How a client wants a match run: at most <see cref="Limit"/> solutions; only counted, or each result sent; pages of about <see cref="PageBytes"/>.</summary>
[GenerateSerializer]
[Immutable]
[Alias("OrleansKb.MatchRequest")]
public sealed record MatchRequest(
    [property: Id(0)] long Limit,
    [property: Id(1)] bool CountOnly,
    [property: Id(2)] int PageBytes)
{
    /// <summary>Every result, in pages of <see cref="SpaceLimits.MatchPageBytes"/>.</summary>
    public static MatchRequest Results(long limit = long.MaxValue) => new(limit, CountOnly: false, SpaceLimits.MatchPageBytes);

    /// <summary>Only the number of solutions, counted up to <paramref name="limit"/>.</summary>
    public static MatchRequest Count(long limit = long.MaxValue) => new(limit, CountOnly: true, SpaceLimits.MatchPageBytes);
}
