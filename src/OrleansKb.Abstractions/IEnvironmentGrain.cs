using Orleans;

namespace OrleansKb;

/// <summary>
/// A space: one grain per space name, owning the space's atoms and rule index in memory. Every
/// batch is validated whole before any of it is applied; a malformed one is refused with nothing
/// applied.
/// </summary>
[Alias("OrleansKb.IEnvironmentGrain")]
public interface IEnvironmentGrain : IGrainWithStringKey
{
    /// <summary>Adds the atoms; returns how many were new.</summary>
    [Alias("AddFacts")]
    Task<int> AddFacts(AtomBatch batch);

    /// <summary>Adds rules <c>(= lhs rhs)</c> in order; if any atom is not a rule, none is added.</summary>
    [Alias("AddRules")]
    Task<int> AddRules(AtomBatch batch);

    /// <summary>Removes the atoms; returns how many were present.</summary>
    [Alias("Remove")]
    Task<int> Remove(AtomBatch batch);

    /// <summary>For each atom, whether the space holds it (or one alpha-equivalent to it).</summary>
    [Alias("Contains")]
    Task<bool[]> Contains(AtomBatch batch);

    /// <summary>The number of atoms.</summary>
    [Alias("Count")]
    Task<long> Count();

    /// <summary>
    /// The atoms after <paramref name="after"/> (an encoded atom; empty for the first page) in key
    /// order, up to about <paramref name="maxBytes"/>; an empty batch when there are no more.
    /// </summary>
    [Alias("ExportPage")]
    Task<AtomBatch> ExportPage(ReadOnlyMemory<byte> after, int maxBytes);

    /// <summary>The rules for (head, arity): those indexed under it, then the matching wildcard rules, each group in insertion order.</summary>
    [Alias("MatchingRules")]
    Task<AtomBatch> MatchingRules(string head, int arity);

    /// <summary>
    /// <c>match</c>: <paramref name="query"/> holds one atom <c>(PATTERN TEMPLATE)</c> (one atom, so
    /// the two share their variables). Returns the template instantiated by each solution, at most
    /// <paramref name="limit"/>, in batches of about <see cref="SpaceLimits.ExportPageBytes"/> / 4.
    /// </summary>
    [Alias("Match")]
    IAsyncEnumerable<AtomBatch> Match(AtomBatch query, int limit);

    /// <summary>The number of solutions of <paramref name="pattern"/> (one encoded atom).</summary>
    [Alias("MatchCount")]
    Task<long> MatchCount(AtomBatch pattern);

    /// <summary>Removes every atom.</summary>
    [Alias("Clear")]
    Task Clear();
}
