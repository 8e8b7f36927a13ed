using Orleans;

namespace OrleansKb;

/// <summary>
/// How a client wants a match run: at most <see cref="Limit"/> solutions, in pages of about
/// <see cref="PageBytes"/>; <see cref="ForTransform"/> when a transform reads it, which the silo's
/// transform budget bounds instead of its match budget (docs/transform.md, "Budgets").
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("OrleansKb.MatchRequest")]
public sealed record MatchRequest(
    [property: Id(0)] long Limit,
    [property: Id(2)] int PageBytes,
    [property: Id(3)] bool ForTransform = false)
{
    /// <summary>At most <paramref name="limit"/> solutions, in pages of <see cref="SpaceLimits.MatchPageBytes"/>.</summary>
    public static MatchRequest UpTo(long limit = long.MaxValue, bool forTransform = false) => new(limit, SpaceLimits.MatchPageBytes, forTransform);
}
