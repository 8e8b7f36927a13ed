using OrleansKb.Storage;

namespace OrleansKb.Spaces;

/// <summary>
/// What a match reads of a space during one step (<see cref="AtomSpace.Step"/>), while the space's
/// lock is held: a ref struct, so it cannot be kept past the step.
/// </summary>
internal readonly ref struct MatchView(ByteTrie trie, ArgumentIndex arguments, PatternStatistics statistics, bool hasStoredVariables)
{
    /// <summary>The trie of the atoms.</summary>
    public ByteTrie Trie => trie;

    /// <summary>The argument index's trie: walked only while <see cref="IndexIsComplete"/>.</summary>
    public ByteTrie ArgumentTrie => arguments.Trie;

    /// <summary>
    /// Whether a match may walk the argument index: only while it holds every atom, and while the
    /// space does not hold the atom that is a lone variable (<c>$x</c>), which matches every pattern
    /// and, having no arguments, is not in the index.
    /// </summary>
    public bool IndexIsComplete { get; } = arguments.IsComplete && !(hasStoredVariables && trie.Contains(LoneVariable));

    /// <summary>The encoding of a lone variable: the only atom a walk of the index cannot find.</summary>
    private static ReadOnlySpan<byte> LoneVariable => [Codec.EncodingTags.NewVar];

    /// <summary>Whether some stored atom holds a variable: if none does, only equal keys match a ground pattern.</summary>
    public bool HasStoredVariables => hasStoredVariables;

    /// <summary>The statistics of patterns matched alone, kept for the next query that joins them.</summary>
    public PatternStatistics Statistics => statistics;

    /// <summary>Brings the argument index up to date by at most <paramref name="keys"/> atoms (by default one step); true once it is complete.</summary>
    public bool CatchUpIndex(int keys = ArgumentIndex.CatchUpStep) => arguments.CatchUp(trie, keys);
}
