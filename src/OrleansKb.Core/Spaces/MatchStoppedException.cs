namespace OrleansKb.Spaces;

/// <summary>
/// A space's <see cref="MatchSessions"/> stopped a match, or would not start one: it ran out of its
/// budget, a result was larger than a page may carry, it is not open (finished, cancelled, idle too
/// long), or too many are open. The message says which, naming the space.
/// </summary>
public sealed class MatchStoppedException : Exception
{
    public MatchStoppedException()
    {
    }

    public MatchStoppedException(string message)
        : base(message)
    {
    }

    public MatchStoppedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
