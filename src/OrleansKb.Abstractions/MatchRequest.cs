using Orleans;

namespace OrleansKb;

/// <summary>How a client wants a match run: at most <see cref="Limit"/> solutions, in pages of about <see cref="PageBytes"/>.</summary>
[GenerateSerializer]
[Immutable]
[Alias("OrleansKb.MatchRequest")]
public sealed record MatchRequest(
    [property: Id(0)] long Limit,
    [property: Id(2)] int PageBytes)
{
    /// <summary>At most <paramref name="limit"/> solutions, in pages of <see cref="SpaceLimits.MatchPageBytes"/>.</summary>
    public static MatchRequest UpTo(long limit = long.MaxValue) => new(limit, SpaceLimits.MatchPageBytes);
}
