using Orleans;

namespace OrleansKb;

/// <summary>A page of the rules matching (head, arity), in index order, and where the next page starts (-1 after the last).</summary>
[GenerateSerializer]
[Immutable]
[Alias("OrleansKb.RulesPage")]
public sealed record RulesPage([property: Id(0)] AtomBatch Rules, [property: Id(1)] long Next)
{
    /// <summary>True if this is the last page.</summary>
    public bool Finished => Next < 0;
}
