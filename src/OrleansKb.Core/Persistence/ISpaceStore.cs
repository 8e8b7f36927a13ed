namespace OrleansKb.Persistence;

/// <summary>Where spaces keep their log and snapshots (docs/durability.md): local files, memory, or a database.</summary>
public interface ISpaceStore
{
    /// <summary>What the store is, for messages and <c>orleanskb info</c>: <c>file DIR</c>, <c>memory</c>, ….</summary>
    string Description { get; }

    /// <summary>
    /// Whether a space outlives its activation. A store that keeps nothing takes no snapshots: the
    /// space never pages its atoms out for them.
    /// </summary>
    bool KeepsSpaces { get; }

    /// <summary>
    /// Opens a space (creating it if new) with a new epoch: from now on, appends through any handle
    /// opened before this one are refused with <see cref="StaleEpochException"/>.
    /// </summary>
    Task<IStoredSpace> OpenAsync(string space, CancellationToken cancellationToken = default);

    /// <summary>
    /// Completes if spaces can be opened now, else throws an <see cref="IOException"/> saying why (the
    /// data directory gone, the database unreachable): what a silo's health check asks.
    /// </summary>
    Task CheckAsync(CancellationToken cancellationToken = default);
}
