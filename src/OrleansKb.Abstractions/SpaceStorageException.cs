using Orleans;

namespace OrleansKb;

/// <summary>
/// A space could not read or write its store: its data is damaged (the message names the file and
/// offset), its disk failed, or another activation took it over. A change that fails this way was
/// not acknowledged; the space recovers what is durable at its next activation — unless its data is
/// <see cref="Damaged"/>.
/// </summary>
[GenerateSerializer]
[Alias("OrleansKb.SpaceStorageException")]
public sealed class SpaceStorageException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public SpaceStorageException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public SpaceStorageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>, caused by <paramref name="inner"/>.</summary>
    public SpaceStorageException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>The space's stored data is damaged (a checksum fails, records are missing): waiting or retrying will not heal it; an operator must repair or restore it.</summary>
    [Id(0)]
    public bool Damaged { get; init; }
}
