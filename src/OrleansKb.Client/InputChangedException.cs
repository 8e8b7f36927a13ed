namespace OrleansKb.Client;

/// <summary>The file being loaded changed (its size or modification time) between the check of the whole file and the end of the load.</summary>
public sealed class InputChangedException : IOException
{
    /// <summary>Creates the exception with a default message.</summary>
    public InputChangedException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public InputChangedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>, caused by <paramref name="inner"/>.</summary>
    public InputChangedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
