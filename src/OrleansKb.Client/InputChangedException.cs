namespace OrleansKb.Client;

/// <summary>The file being loaded changed (its size or modification time) between the check of the whole file and the end of the load.</summary>
public sealed class InputChangedException : IOException
{
    public InputChangedException()
    {
    }

    public InputChangedException(string message)
        : base(message)
    {
    }

    public InputChangedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
