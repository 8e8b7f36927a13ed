namespace OrleansKb;

/// <summary>Sizes the client, the grain and the silo agree on.</summary>
public static class SpaceLimits
{
    /// <summary>
    /// The largest message Orleans accepts (its default <c>MaxMessageBodySize</c>, set explicitly on
    /// both sides). A larger one would tear down the connection, so nothing that large is ever sent.
    /// </summary>
    public const int MaxMessageBytes = 100 << 20;

    /// <summary>
    /// The largest encoded atom a space accepts, and the largest match result it sends; the client
    /// refuses larger atoms before sending them. Every message is a page of at most a batch plus one
    /// atom, so it stays under <see cref="MaxMessageBytes"/>.
    /// </summary>
    public const int MaxAtomBytes = 64 << 20;

    /// <summary>The largest batch bound a client may choose: a batch plus one atom of the largest size still fits in a message.</summary>
    public const int MaxBatchBytes = 16 << 20;

    /// <summary>The size of a page of a paged export, and of a page of rules.</summary>
    public const int ExportPageBytes = 1 << 20;

    /// <summary>The size of a page of match results a client asks for by default.</summary>
    public const int MatchPageBytes = 256 << 10;
}
