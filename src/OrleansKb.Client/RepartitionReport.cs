namespace OrleansKb.Client;

/// <summary>
/// A finished repartition (<see cref="KbSpace.RepartitionAsync"/>): the space, how many partitions it
/// then has and the epoch of its new map, the atoms copied to the new partitions, and the time it took.
/// As <c>orleanskb repartition</c> and <c>POST /spaces/{space}:repartition</c> print it.
/// </summary>
public sealed record RepartitionReport(string Space, int Partitions, long Epoch, long AtomsMoved, double ElapsedMs)
{
    /// <summary>Atoms copied per second.</summary>
    public double AtomsPerSecond => Math.Round(AtomsMoved / Math.Max(ElapsedMs / 1000, 1e-9));
}
