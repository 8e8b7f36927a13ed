namespace OrleansKb.Client;

/// <summary>A finished load: atoms read, atoms new to the space, the space's size after it, and the time it took.</summary>
public sealed record LoadResult(long AtomsRead, long AtomsAdded, long SpaceCount, TimeSpan Elapsed)
{
    /// <summary>Atoms read per second.</summary>
    public double AtomsPerSecond => AtomsRead / Math.Max(Elapsed.TotalSeconds, 1e-9);
}
