namespace OrleansKb.Persistence;

/// <summary>Another process holds the data directory (its lock file): two silos writing one directory would corrupt it.</summary>
public sealed class DataDirectoryInUseException : IOException
{
    public DataDirectoryInUseException()
    {
    }

    public DataDirectoryInUseException(string message)
        : base(message)
    {
    }

    public DataDirectoryInUseException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
