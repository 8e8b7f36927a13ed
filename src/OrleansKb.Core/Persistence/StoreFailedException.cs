namespace OrleansKb.Persistence;

/// <summary>
/// A durable space's store failed (<see cref="Spaces.DurableSpace"/>): the space could not be
/// opened, a change could not be made durable (the space then takes no more changes and must be
/// opened again), or a snapshot failed. The message says which, naming the space.
/// </summary>
public sealed class StoreFailedException : Exception
{
    public StoreFailedException()
    {
    }

    public StoreFailedException(string message)
        : base(message)
    {
    }

    public StoreFailedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
