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

    /// <summary>The argument index's trie: walked only for a pattern it covers (<see cref="IndexCovers"/>).</summary>
    public ByteTrie ArgumentTrie => arguments.Trie;

    // The atom that is a lone variable ($x) matches every pattern and, having no arguments, is not in the index.
    private bool IndexIsUsable { get; } = !(hasStoredVariables && trie.Contains(LoneVariable));

    /// <summary>
    /// Whether a match may walk the argument index for a pattern whose constants begin with
    /// <paramref name="prefix"/> (<see cref="Conjunct.ConstantPrefixOf"/>): while the index holds every
    /// atom such a pattern can match — all of them if the space holds an atom with a variable, which
    /// may match whatever the prefix — and the space does not hold a lone variable.
    /// </summary>
    public bool IndexCovers(ReadOnlySpan<byte> prefix) =>
        IndexIsUsable && (arguments.IsComplete || (!hasStoredVariables && arguments.CoversKeysStartingWith(prefix)));

    /// <summary>Whether the argument index covers each of <paramref name="prefixes"/> (<see cref="IndexCovers"/>).</summary>
    public bool IndexCoversAll(IReadOnlyList<byte[]> prefixes)
    {
        foreach (var prefix in prefixes)
        {
            if (!IndexCovers(prefix))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The encoding of a lone variable: the only atom a walk of the index cannot find.</summary>
    private static ReadOnlySpan<byte> LoneVariable => [Codec.EncodingTags.NewVar];

    /// <summary>Whether some stored atom holds a variable: if none does, only equal keys match a ground pattern.</summary>
    public bool HasStoredVariables => hasStoredVariables;

    /// <summary>The statistics of patterns matched alone, kept for the next query that joins them.</summary>
    public PatternStatistics Statistics => statistics;

    /// <summary>Brings the argument index up to date by at most <paramref name="keys"/> atoms (by default one step); true once it is complete.</summary>
    public bool CatchUpIndex(int keys = ArgumentIndex.CatchUpStep) => arguments.CatchUp(trie, keys);
}
