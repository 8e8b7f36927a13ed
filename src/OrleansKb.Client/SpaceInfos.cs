using OrleansKb.Spaces;

namespace OrleansKb.Client;

/// <summary>A space's info from its partitions' (docs/cluster.md, "Partitioned spaces").</summary>
internal static class SpaceInfos
{
    /// <summary>
    /// The space's info: its name; the sums of its partitions' figures; the store, silo, epoch and
    /// recovery time of its first partition in key order; and every partition in key order, with its
    /// range (hex, empty for no bound).
    /// </summary>
    public static SpaceInfo Combined(string space, PartitionMap map, SpaceInfo[] partitions)
    {
        var first = partitions[0];
        var listed = new PartitionInfo[partitions.Length];
        for (var i = 0; i < partitions.Length; i++)
        {
            var info = partitions[i];
            listed[i] = new PartitionInfo(
                map.Ids[i], Convert.ToHexStringLower(map.Low(i)), map.High(i) is { } high ? Convert.ToHexStringLower(high) : "",
                info.Atoms, info.TrieBytes + info.IndexBytes, info.Silo, map.Epoch, info.MatchesServed);
        }

        return first with
        {
            Space = space,
            Atoms = partitions.Sum(p => p.Atoms),
            Rules = partitions.Sum(p => p.Rules),
            LogBytes = partitions.Sum(p => p.LogBytes),
            SnapshotAtoms = partitions.Sum(p => p.SnapshotAtoms),
            OpenMatches = partitions.Sum(p => p.OpenMatches),
            TrieBytes = partitions.Sum(p => p.TrieBytes),
            IndexBytes = partitions.Sum(p => p.IndexBytes),
            TornTailBytes = partitions.Sum(p => p.TornTailBytes),
            MatchesServed = partitions.Sum(p => p.MatchesServed),
            Partitions = listed,
        };
    }
}
