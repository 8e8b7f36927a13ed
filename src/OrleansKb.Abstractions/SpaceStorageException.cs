using Orleans;

namespace OrleansKb;

/// <summary>
/// A space could not read or write its store: its data is damaged (the message names the file and
/// offset), its disk failed, or another activation took it over. A change that fails this way was
/// not acknowledged; the space recovers what is durable at its next activation.
/// </summary>
[GenerateSerializer]
[Alias("OrleansKb.SpaceStorageException")]
public sealed class SpaceStorageException : Exception
{
    public SpaceStorageException()
    {
    }

    public SpaceStorageException(string message)
        : base(message)
    {
    }

    public SpaceStorageException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
