namespace OrleansKb.Spaces;

/// <summary>
/// What a join over a divided space sends a partition (<see cref="PartitionedJoin"/>): one level of
/// the join as a match's query — <see cref="Pattern"/> an encoded <c>(VARIABLES CONJUNCT)</c>, the
/// conjunction's variables and the conjunct the level matches, and <see cref="Template"/> sharing its
/// variables (empty to count only) — and <see cref="Count"/> rows of bindings of those variables
/// (<see cref="JoinRows"/>) to match the conjunct under, encoded back to back.
/// </summary>
public readonly record struct JoinProbes(ReadOnlyMemory<byte> Pattern, ReadOnlyMemory<byte> Template, ReadOnlyMemory<byte> Rows, int Count);
