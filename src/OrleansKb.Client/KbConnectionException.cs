namespace OrleansKb.Client;

/// <summary>The cluster could not be reached (or its address is wrong).</summary>
public sealed class KbConnectionException : Exception
{
    public KbConnectionException(string message)
        : base(message)
    {
    }

    public KbConnectionException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
