using Orleans;

namespace OrleansKb;

/// <summary>
/// A silo refused a write because it would take the silo's memory past its high-water mark (docs/cluster.md,
/// "Memory"): nothing of the write was applied; what was acknowledged before is kept, and reads,
/// matches, exports and removes go on. The message names the space, what it and the silo hold, and
/// what to do (more memory, another silo, more partitions).
/// </summary>
[GenerateSerializer]
[Alias("OrleansKb.SpaceMemoryException")]
public sealed class SpaceMemoryException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public SpaceMemoryException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public SpaceMemoryException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>, caused by <paramref name="inner"/>.</summary>
    public SpaceMemoryException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
