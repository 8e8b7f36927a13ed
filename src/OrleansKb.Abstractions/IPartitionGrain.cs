using Orleans;

namespace OrleansKb;

/// <summary>
/// What the partitions of a space ask of each other while its partition map changes (docs/cluster.md,
/// "Changing the partitions"), and what a join's coordinator asks them: the same grains as
/// <see cref="IEnvironmentGrain"/>, seen by the silos only. Partition 0 (the space's own grain) runs a
/// change; the others take part in it. No client calls these.
/// </summary>
[Alias("OrleansKb.IPartitionGrain")]
public interface IPartitionGrain : IGrainWithStringKey
{
    /// <summary>The partition's atoms (whatever the map; <see cref="IEnvironmentGrain.Count"/> checks it).</summary>
    [Alias("AtomCount")]
    Task<long> AtomCount();

    /// <summary>
    /// What a join's coordinator orders the join of <paramref name="conjunction"/> (encoded <c>(, p1 … pn)</c>)
    /// by: each pattern measured alone in the partition (within one match slice; the partition keeps
    /// what it measured), and whether some atom of the partition holds a variable — only such a
    /// partition can match a pattern by a stored variable where the pattern has a constant, so a join
    /// sends a row to a partition outside the range its prefix routes it to only if it does.
    /// </summary>
    [Alias("JoinStatistics")]
    Task<SpaceJoinStatistics> JoinStatistics(ReadOnlyMemory<byte> conjunction);

    /// <summary>The partition's summary of its later arguments, whole (null if it holds no range of a divided space).</summary>
    [Alias("ArgumentsWhole")]
    Task<SpaceArgumentSummary?> ArgumentsWhole();

    /// <summary>On partition 0: a partition tells what it holds at its later arguments (before it acknowledges the change that added it).</summary>
    [Alias("TellArguments")]
    Task TellArguments(SpaceArgumentSummary summary);

    /// <summary>Every <paramref name="every"/>-th of the partition's keys, in key order, from the first.</summary>
    [Alias("SampleKeys")]
    Task<byte[][]> SampleKeys(long every);

    /// <summary>A new partition takes its range of <paramref name="map"/>, durably.</summary>
    [Alias("TakeRange")]
    Task TakeRange(SpacePartitions map);

    /// <summary>The partition is leaving the map for the one of <paramref name="epoch"/>: its changes wait.</summary>
    [Alias("Seal")]
    Task Seal(long epoch);

    /// <summary>The change to the map of <paramref name="epoch"/> was given up: the partition takes changes again.</summary>
    [Alias("Unseal")]
    Task Unseal(long epoch);

    /// <summary>The partition copies its atoms to the partitions of <paramref name="map"/> that hold them; returns how many, once they are durable there.</summary>
    [Alias("CopyTo")]
    [ResponseTimeout("01:00:00")]
    Task<long> CopyTo(SpacePartitions map);

    /// <summary>
    /// The map of <paramref name="epoch"/>, without this partition, is committed: the partition refuses
    /// every call and drops its atoms. True once it has deleted what its store kept of it.
    /// </summary>
    [Alias("RetireReportingDeleted")]
    Task<bool> Retire(long epoch);

    /// <summary>The map of <paramref name="epoch"/>, which this partition is new in, is committed: it indexes its atoms from now on.</summary>
    [Alias("Committed")]
    Task Committed(long epoch);

    /// <summary>On partition 0: the epoch of the map the space is changing to, 0 when no change is under way.</summary>
    [Alias("ChangingTo")]
    Task<long> ChangingTo();

    /// <summary>On partition 0: splits partition <paramref name="partition"/> at its median key (it has grown past the silo's <c>PartitionMaxAtoms</c>).</summary>
    [Alias("Split")]
    [ResponseTimeout("01:00:00")]
    Task Split(int partition);
}
