namespace OrleansKb.Spaces;

/// <summary>
/// What a partition tells partition 0 of its <see cref="ArgumentSummary"/> (<see cref="ArgumentDirectory"/>):
/// either the whole bitset (<paramref name="Words"/>, when the summary was made or sized anew) or the
/// bits a change set (<paramref name="Fresh"/>), with whether the partition holds atoms with variables.
/// </summary>
public sealed record ArgumentSummaryUpdate(int Partition, int Log2Bits, bool HoldsVariables, int[]? Fresh, ulong[]? Words)
{
    /// <summary>The summary told whole; null for fresh bits.</summary>
    public ArgumentSummary? Whole => Words is null ? null : new ArgumentSummary(Log2Bits, Words);

    /// <summary>Tells <paramref name="directory"/>.</summary>
    public void ApplyTo(ArgumentDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (Whole is { } whole)
        {
            directory.Replace(Partition, whole, HoldsVariables);
        }
        else
        {
            directory.Merge(Partition, Log2Bits, HoldsVariables, Fresh ?? []);
        }
    }
}
