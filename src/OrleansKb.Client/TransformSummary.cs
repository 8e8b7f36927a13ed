namespace OrleansKb.Client;

/// <summary>
/// What a finished (or stopped) transform reports to a user, as <c>orleanskb transform --json</c> and
/// the HTTP API print it: its counts, how long it took, atoms changed per second, and why it stopped
/// early (null if it did not: "cancelled", or the round budget's message).
/// </summary>
public sealed record TransformSummary(long Solutions, long Added, long Removed, int Rounds, double ElapsedMs, double AtomsPerSecond, string? Stopped)
{
    /// <summary>The summary of <paramref name="done"/>, which took <paramref name="elapsed"/>.</summary>
    public static TransformSummary Of(TransformProgress done, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(done);
        return new(
            done.Solutions,
            done.Added,
            done.Removed,
            done.Rounds,
            elapsed.TotalMilliseconds,
            (done.Added + done.Removed) / Math.Max(1e-6, elapsed.TotalSeconds),
            done.Stopped ?? (done.Finished ? null : "cancelled"));
    }
}
