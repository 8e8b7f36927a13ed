using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Spaces;

namespace OrleansKb.Workloads;

/// <summary>
/// A space divided into partitions in this process, without grains (docs/cluster.md, "Partitioned
/// spaces"): atoms cut at their keys' quantiles into one <see cref="AtomSpace"/> per partition, each
/// with its matches, and what the join's coordinator asks of the partitions (each pattern's
/// statistics) answered as the grains answer it.
/// What the join tests and benchmarks join over.
/// </summary>
public sealed class DividedSpace
{
    public DividedSpace(IReadOnlyList<Atom> atoms, int partitions, MatchSessionLimits limits)
    {
        ArgumentNullException.ThrowIfNull(atoms);
        var keys = atoms.Select(AtomEncoder.Encode).ToArray();
        var splits = PartitionMap.SplitsOf(keys, partitions);
        Map = new PartitionMap(1, [.. Enumerable.Range(0, splits.Length + 1)], splits);
        Spaces = [.. Enumerable.Range(0, Map.Count).Select(_ => new AtomSpace())];
        foreach (var key in keys)
        {
            Spaces[Map.IndexOf(key)].AddEncoded(key);
        }

        Parts = [.. Spaces.Select((space, i) => new MatchSessions($"part {i}", space, limits))];
        HoldsVariables = [.. Spaces.Select(space => space.HoldsVariables)];
    }

    public PartitionMap Map { get; }

    public AtomSpace[] Spaces { get; }

    /// <summary>Each partition's matches, as its grain keeps them.</summary>
    public MatchSessions[] Parts { get; }

    /// <summary>Which partitions hold an atom with a variable.</summary>
    public bool[] HoldsVariables { get; }

    /// <summary>Each partition's statistics of the conjunction's patterns (<see cref="AtomSpace.MeasurePatterns"/>).</summary>
    public List<PatternCounts[]?> Measured(Atom conjunction, TimeSpan most) =>
        [.. Spaces.Select(space => space.MeasurePatterns(conjunction, most))];
}
