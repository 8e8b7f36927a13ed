namespace OrleansKb.Client;

/// <summary>
/// A load that stopped part way — cancelled, the cluster lost, the file changed under it — after some
/// of its batches were acknowledged. What was acknowledged stays in the space; as a space is a set,
/// loading the same input again is safe. <see cref="Exception.InnerException"/> is what stopped it.
/// </summary>
public sealed class LoadInterruptedException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public LoadInterruptedException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public LoadInterruptedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>, caused by <paramref name="inner"/>.</summary>
    public LoadInterruptedException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Atoms acknowledged by the space before the load stopped.</summary>
    public long AtomsAcknowledged { get; init; }

    /// <summary>Of those, how many were new to the space.</summary>
    public long AtomsAdded { get; init; }
}
