namespace OrleansKb.Spaces;

/// <summary>
/// A partition refused a change before applying any of it: an atom of the batch belongs to another
/// partition of the space's map (the sender's map is older or newer than the partition's). The
/// sender fetches the map again (<see cref="Epoch"/> is the partition's) and sends the atoms where
/// they belong.
/// </summary>
public sealed class WrongPartitionException : Exception
{
    public WrongPartitionException()
    {
    }

    public WrongPartitionException(string message)
        : base(message)
    {
    }

    public WrongPartitionException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>The epoch of the refusing partition's map.</summary>
    public long Epoch { get; init; }
}
