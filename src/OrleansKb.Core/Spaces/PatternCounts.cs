namespace OrleansKb.Spaces;

/// <summary>
/// A pattern's statistics as a join is ordered by them (docs/matching.md): N, its solutions alone, and
/// D(v), the distinct values of each of its variables (in the order the trie walk meets them).
/// </summary>
public sealed record PatternCounts(long Count, int[] Distinct);
