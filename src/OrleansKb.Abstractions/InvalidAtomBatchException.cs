using Orleans;

namespace OrleansKb;

/// <summary>A grain refused a batch (malformed bytes, or a non-rule among rules); nothing of it was applied.</summary>
[GenerateSerializer]
[Alias("OrleansKb.InvalidAtomBatchException")]
public sealed class InvalidAtomBatchException : Exception
{
    public InvalidAtomBatchException()
    {
    }

    public InvalidAtomBatchException(string message)
        : base(message)
    {
    }

    public InvalidAtomBatchException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
