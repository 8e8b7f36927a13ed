namespace OrleansKb.Spaces;

/// <summary>
/// What the partitions of a space are called (docs/cluster.md, "Partitioned spaces"): partition 0 by
/// the space's name, so a space never divided is the space as it always was; partition k by the name,
/// U+001F and k — a name no user can give, since space names refuse control characters.
/// </summary>
public static class PartitionNames
{
    /// <summary>Between a space's name and a partition's number.</summary>
    public const char Separator = '\u001F';

    /// <summary>The name partition <paramref name="partition"/> of <paramref name="space"/> is kept under.</summary>
    public static string Of(string space, int partition)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        return partition == 0 ? space : $"{space}{Separator}{partition.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    /// <summary>The space and partition a name is kept under (<see cref="Of"/> read back).</summary>
    public static (string Space, int Partition) Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var at = name.LastIndexOf(Separator);
        return at > 0 && int.TryParse(name.AsSpan(at + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var partition) && partition > 0
            ? (name[..at], partition)
            : (name, 0);
    }
}
