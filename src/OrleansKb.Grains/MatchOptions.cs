using OrleansKb.Spaces;

namespace OrleansKb.Grains;

/// <summary>
/// How a silo runs matches (docs/matching.md, "Through the cluster"): the budget of one match, the
/// slice of work per page, and how long an open match may wait for its next page request; and the
/// budget of a transform's reads, larger, as a transform derives in bulk (docs/transform.md). Bound from
/// the configuration section <c>Match</c> of the silo (e.g. <c>ORLEANSKB_Match__MaxSeconds=120</c>);
/// a host sets it as any options (<c>silo.Configure&lt;MatchOptions&gt;(…)</c>).
/// </summary>
public sealed class MatchOptions
{
    /// <summary>The most solutions one match (or count) may find; past it the match stops with an error.</summary>
    public long MaxSolutions { get; set; } = 100_000_000;

    /// <summary>The most time one match (or count) may spend finding solutions, summed over its pages.</summary>
    public double MaxSeconds { get; set; } = 60;

    /// <summary>The most solutions one round of a transform may match; past it the transform stops with an error, keeping what it wrote.</summary>
    public long TransformMaxSolutions { get; set; } = 10_000_000_000;

    /// <summary>The most time one round of a transform may spend matching, summed over its pages.</summary>
    public double TransformMaxSeconds { get; set; } = 3_600;

    /// <summary>The longest a page's turn computes before it returns what it has (other calls on the space run between pages).</summary>
    public int SliceMilliseconds { get; set; } = 100;

    /// <summary>An open match whose client has not asked for a page for this long is closed.</summary>
    public double IdleSeconds { get; set; } = 60;

    /// <summary>The most matches one space keeps open at once.</summary>
    public int MaxOpenPerSpace { get; set; } = 64;

    internal TimeSpan Slice => TimeSpan.FromMilliseconds(SliceMilliseconds);

    /// <summary>The budget of a match (<paramref name="forTransform"/>: of a transform's read).</summary>
    internal MatchBudget Budget(bool forTransform) => forTransform
        ? new MatchBudget(TransformMaxSolutions, TimeSpan.FromSeconds(TransformMaxSeconds), "Match:TransformMaxSolutions, Match:TransformMaxSeconds")
        : new MatchBudget(MaxSolutions, TimeSpan.FromSeconds(MaxSeconds));

    internal TimeSpan IdleTimeout => TimeSpan.FromSeconds(IdleSeconds);
}
