using Orleans;

namespace OrleansKb;

/// <summary>A grain refused a batch (malformed bytes, or a non-rule among rules); nothing of it was applied.</summary>
[GenerateSerializer]
[Alias("OrleansKb.InvalidAtomBatchException")]
public sealed class InvalidAtomBatchException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public InvalidAtomBatchException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public InvalidAtomBatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>, caused by <paramref name="inner"/>.</summary>
    public InvalidAtomBatchException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
