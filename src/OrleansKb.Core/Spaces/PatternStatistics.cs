namespace OrleansKb.Spaces;

/// <summary>
/// The statistics of patterns matched alone (<see cref="Conjunct"/>: N and D(v) per variable), kept by
/// the space so that a query asked again is joined in the order already chosen for it, without
/// matching its patterns alone again. Keyed by a pattern's encoding, so alpha-equivalent patterns
/// share an entry (their variables come in the same order). Statistics only order a join — they never
/// change its solutions — so an entry serves while the space has about the size it was measured at
/// (within an eighth) and is dropped when the space is cleared; the cache holds a bounded number of
/// patterns (of at most 4,096 encoded bytes each) and starts again when it is full.
/// </summary>
internal sealed class PatternStatistics
{
    private const int MaxPatterns = 1024;

    // A pattern longer than this (a large constant in it) is not kept: the cache stays small.
    private const int MaxKeyLength = 4096;

    private readonly Dictionary<string, (long Count, int[] Distinct, long SpaceCount)> _patterns = new(StringComparer.Ordinal);

    /// <summary>The statistics of the pattern encoded as <paramref name="key"/>, if measured at about <paramref name="spaceCount"/> atoms.</summary>
    public bool TryGet(string key, long spaceCount, out long count, out int[] distinct)
    {
        if (_patterns.TryGetValue(key, out var entry) && Math.Abs(spaceCount - entry.SpaceCount) <= entry.SpaceCount / 8)
        {
            (count, distinct) = (entry.Count, entry.Distinct);
            return true;
        }

        (count, distinct) = (0, []);
        return false;
    }

    public void Remember(string key, long count, int[] distinct, long spaceCount)
    {
        if (key.Length > MaxKeyLength)
        {
            return;
        }

        if (_patterns.Count == MaxPatterns && !_patterns.ContainsKey(key))
        {
            _patterns.Clear();
        }

        _patterns[key] = (count, distinct, spaceCount);
    }

    public void Clear() => _patterns.Clear();
}
