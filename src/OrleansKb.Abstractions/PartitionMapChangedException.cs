using Orleans;

namespace OrleansKb;

/// <summary>
/// A partition refused a call, before doing any of it, because the caller routed it by another map
/// of the space's partitions than the partition holds (the space was divided, or split, since the
/// caller read its map). The caller reads the map again (<see cref="IEnvironmentGrain.Partitions"/>)
/// and sends the call where it now belongs; the client library does this itself.
/// </summary>
[GenerateSerializer]
[Alias("OrleansKb.PartitionMapChangedException")]
public sealed class PartitionMapChangedException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public PartitionMapChangedException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public PartitionMapChangedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>, caused by <paramref name="inner"/>.</summary>
    public PartitionMapChangedException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>The epoch of the map the refusing partition holds.</summary>
    [Id(0)]
    public long Epoch { get; init; }
}
