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

    /// <summary>
    /// What recovering <paramref name="space"/> would read — its newest snapshot and the log after it
    /// (<see cref="IStoredSpace.RecoveryBytesAsync"/>) — without opening it: what placing a space where
    /// it fits asks (docs/cluster.md). 0 for a space the store does not hold, or a store whose spaces
    /// only the silo that keeps them can open.
    /// </summary>
    Task<long> RecoveryBytesOfAsync(string space, CancellationToken cancellationToken = default) => Task.FromResult(0L);

    /// <summary>
    /// Keeps a silo's memory report where the other silos sharing this store read it, stamped with
    /// the store's own clock (so the silos' clocks need not agree); none kept by a store no other silo shares.
    /// </summary>
    Task ReportSiloMemoryAsync(SiloMemoryReport report, CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>The latest report of each silo sharing this store, if made within <paramref name="within"/> by the store's clock.</summary>
    Task<IReadOnlyList<SiloMemoryReport>> SiloMemoryReportsAsync(TimeSpan within, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<SiloMemoryReport>>([]);
}
