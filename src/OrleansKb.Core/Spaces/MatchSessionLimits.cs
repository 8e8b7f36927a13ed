namespace OrleansKb.Spaces;

/// <summary>
/// How a space's <see cref="MatchSessions"/> run: each match's <see cref="Budget"/>, the
/// <see cref="Slice"/> of work per page, how long an open match may wait for its next page request,
/// how many may be open at once, and the largest result a page may carry.
/// </summary>
public sealed record MatchSessionLimits(MatchBudget Budget, TimeSpan Slice, TimeSpan IdleTimeout, int MaxOpen, int MaxResultBytes)
{
    /// <summary>How often a host looks for idle matches to close: a quarter of the idle timeout, between 0.25 and 15 s.</summary>
    public TimeSpan IdleCheckPeriod => TimeSpan.FromSeconds(Math.Clamp(IdleTimeout.TotalSeconds / 4, 0.25, 15));
}
