namespace OrleansKb.Grains;

/// <summary>When a silo's partitions split by themselves (docs/cluster.md). The silo binds it from its settings (<c>PartitionMaxAtoms</c>).</summary>
public sealed class PartitionOptions
{
    /// <summary>The least <see cref="PartitionMaxAtoms"/> may be: below it a space would be all splits.</summary>
    public const long MinPartitionMaxAtoms = 1_000;

    /// <summary>
    /// A partition (an undivided space too) that grows past this many atoms splits at its median key
    /// into two new partitions. The default keeps a partition to about a gigabyte of memory.
    /// </summary>
    public long PartitionMaxAtoms { get; set; } = 10_000_000;
}
