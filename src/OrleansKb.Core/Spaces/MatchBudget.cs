namespace OrleansKb.Spaces;

/// <summary>
/// What one match may cost before it is stopped with a <see cref="MatchBudgetExceededException"/>:
/// how many solutions it may find, and how much time it may spend finding them (summed over every
/// page, not counting the time between pages).
/// </summary>
public sealed record MatchBudget(long MaxSolutions, TimeSpan MaxWork)
{
    /// <summary>No bound: for in-process callers that bound the work themselves.</summary>
    public static MatchBudget Unlimited { get; } = new(long.MaxValue, TimeSpan.MaxValue);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSolutions, 1, nameof(MaxSolutions));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MaxWork, TimeSpan.Zero, nameof(MaxWork));
    }
}
