namespace OrleansKb.Persistence;

/// <summary>A space's stored data is damaged: the message names the file (or table) and the offset. The space does not activate; nothing is skipped silently.</summary>
public sealed class StoreCorruptedException : IOException
{
    public StoreCorruptedException()
    {
    }

    public StoreCorruptedException(string message)
        : base(message)
    {
    }

    public StoreCorruptedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
