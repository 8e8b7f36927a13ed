namespace OrleansKb.Persistence;

/// <summary>
/// What a silo's memory holds, as it reports it every few seconds to the store its silos share
/// (docs/cluster.md, "Placing a space where it fits"): where a space is activated, a silo whose
/// heap would not take the space's recovery below its high-water mark is passed over.
/// </summary>
/// <param name="Silo">The silo's address, as Orleans writes it.</param>
/// <param name="Budget">Its memory budget, in bytes.</param>
/// <param name="HighWater">The heap size past which it refuses writes.</param>
/// <param name="Used">Its managed heap's size when it reported.</param>
/// <param name="At">When it reported.</param>
public sealed record SiloMemoryReport(string Silo, long Budget, long HighWater, long Used, DateTimeOffset At)
{
    /// <summary>What the silo's heap may still grow by before it refuses writes.</summary>
    public long Headroom => HighWater - Used;
}
