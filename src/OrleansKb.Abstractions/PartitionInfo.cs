using Orleans;

namespace OrleansKb;

/// <summary>
/// One partition of a space, as <c>orleanskb info</c> lists it (in key order): its number, the range
/// of encoded keys it holds (<see cref="Lo"/> inclusive, <see cref="Hi"/> exclusive, lowercase hex;
/// empty for no bound), its atoms and the bytes of its trie and argument index, the silo hosting it,
/// the epoch of the space's map it holds, and the match requests it has served since it was activated.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("OrleansKb.PartitionInfo")]
public sealed record PartitionInfo(
    [property: Id(0)] int Partition,
    [property: Id(1)] string Lo,
    [property: Id(2)] string Hi,
    [property: Id(3)] long Atoms,
    [property: Id(4)] long Bytes,
    [property: Id(5)] string Silo,
    [property: Id(6)] long Epoch,
    [property: Id(7)] long Matches);
