namespace OrleansKb.Spaces;

/// <summary>
/// A page of a partition's answer to probes, or of a join's results: <see cref="Count"/> encoded atoms
/// back to back (none when counting), and how many solutions they are.
/// </summary>
public readonly record struct JoinPage(ReadOnlyMemory<byte> Results, int Count, long Solutions);
