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

    /// <summary>Whether the argument index holds every atom: only then may a match walk it.</summary>
    public bool IndexIsComplete => arguments.IsComplete;

    /// <summary>Whether some stored atom holds a variable: if none does, only equal keys match a ground pattern.</summary>
    public bool HasStoredVariables => hasStoredVariables;

    /// <summary>The statistics of patterns matched alone, kept for the next query that joins them.</summary>
    public PatternStatistics Statistics => statistics;

    /// <summary>Brings the argument index up to date by at most <paramref name="keys"/> atoms (by default one step); true once it is complete.</summary>
    public bool CatchUpIndex(int keys = ArgumentIndex.CatchUpStep) => arguments.CatchUp(trie, keys);
}
