namespace OrleansKb.Client;

/// <summary>The cluster could not be reached (or its address is wrong).</summary>
public sealed class KbConnectionException : Exception
{
    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public KbConnectionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>, caused by <paramref name="inner"/>.</summary>
    public KbConnectionException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
