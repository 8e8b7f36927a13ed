using Orleans;

namespace OrleansKb;

/// <summary>
/// What a space is and where: its atoms and rules, where it is stored (<c>file DIR</c> or
/// <c>memory</c>), the silo hosting it, the size of its log since its oldest kept snapshot, the
/// newest snapshot's atoms and last record (0 when there is none), the matches open on it, and the
/// epoch of its activation (it grows each time the space is opened: after a restart, a failover, a
/// deactivation), how long this activation took to recover the space from its store, and the bytes
/// its trie and its argument index hold (live, not counting what removals left to compact), and the
/// bytes this activation's recovery cut off the end of the log as a torn tail (a write a crash cut
/// short, or damage; kept beside the log, and told in the silo's log), the match requests it has
/// served since it was activated; and, from the client library, the space's partitions in key order
/// (one for a space never divided), the figures above being their sums (the store, silo, epochs and
/// recovery time are partition 0's).
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("OrleansKb.SpaceInfo")]
public sealed record SpaceInfo(
    [property: Id(0)] string Space,
    [property: Id(1)] long Atoms,
    [property: Id(2)] long Rules,
    [property: Id(3)] string Store,
    [property: Id(4)] string Silo,
    [property: Id(5)] long LogBytes,
    [property: Id(6)] long SnapshotAtoms,
    [property: Id(7)] long SnapshotSeq,
    [property: Id(8)] int OpenMatches,
    [property: Id(9)] long Epoch,
    [property: Id(10)] double RecoveryMs,
    [property: Id(11)] long TrieBytes,
    [property: Id(12)] long IndexBytes,
    [property: Id(13)] long TornTailBytes,
    [property: Id(14)] long MatchesServed = 0,
    [property: Id(15)] IReadOnlyList<PartitionInfo>? Partitions = null,
    [property: Id(16)] long SiloMemoryBudget = 0,
    [property: Id(17)] long SiloMemoryHighWater = 0,
    [property: Id(18)] long SiloMemoryUsed = 0);
