namespace OrleansKb.Codec;

/// <summary>An atom whose encoding is larger than the limit for one atom (a space accepts at most 64 MiB).</summary>
public sealed class OversizedAtomException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public OversizedAtomException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public OversizedAtomException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>, caused by <paramref name="inner"/>.</summary>
    public OversizedAtomException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>The limit for one atom, in encoded bytes.</summary>
    public long Limit { get; init; }
}
