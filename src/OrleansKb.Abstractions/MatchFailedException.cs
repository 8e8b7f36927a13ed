using Orleans;

namespace OrleansKb;

/// <summary>
/// A space stopped a match, or would not start one: it exceeded the silo's budget for one match
/// (solutions or time), a result was larger than an atom may be, the cursor was closed (finished,
/// cancelled, or idle too long), or too many matches are open on the space. The message says which.
/// </summary>
[GenerateSerializer]
[Alias("OrleansKb.MatchFailedException")]
public sealed class MatchFailedException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public MatchFailedException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public MatchFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>, caused by <paramref name="inner"/>.</summary>
    public MatchFailedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
