namespace OrleansKb.Spaces;

/// <summary>
/// What one match may cost before it is stopped with a <see cref="MatchBudgetExceededException"/>:
/// how many solutions it may find, and how much time it may spend finding them (summed over every
/// page, not counting the time between pages). <see cref="Settings"/> names what sets it, for the
/// message of a match it stops.
/// </summary>
public sealed record MatchBudget(long MaxSolutions, TimeSpan MaxWork, string Settings = "Match:MaxSolutions, Match:MaxSeconds")
{
    /// <summary>No bound: for in-process callers that bound the work themselves.</summary>
    public static MatchBudget Unlimited { get; } = new(long.MaxValue, TimeSpan.MaxValue);

    /// <summary>What to do about a match this budget stopped.</summary>
    public string Advice => $"narrow the pattern, ask for fewer results, or raise the silo's budget ({Settings})";

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSolutions, 1, nameof(MaxSolutions));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MaxWork, TimeSpan.Zero, nameof(MaxWork));
    }
}
