using Orleans;

namespace OrleansKb;

/// <summary>
/// What a match looks for and what it returns: <see cref="Pattern"/>, one encoded atom (a conjunction
/// is <c>(, p1 … pn)</c>), and <see cref="Template"/>, instantiated by each solution — or empty, to count
/// the solutions only. The two share their variables: the template is encoded with its variables
/// numbered after the pattern's (docs/encoding.md, "A pattern and its template"), so its bytes alone
/// are not an atom.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("OrleansKb.MatchQuery")]
public sealed record MatchQuery(
    [property: Id(0)] ReadOnlyMemory<byte> Pattern,
    [property: Id(1)] ReadOnlyMemory<byte> Template)
{
    /// <summary>True if the match only counts its solutions (it has no template).</summary>
    public bool CountOnly => Template.IsEmpty;
}
