using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Placement;
using OrleansKb.Persistence;

namespace OrleansKb.Grains;

/// <summary>A durable space, in the silo's store (a data directory by default).</summary>
// A space may hold gigabytes: it stays where it was activated (no rebalancing or repartitioning
// moves it between live silos); it moves only when its silo fails, by recovery from the store.
[Immovable]
[KeepAlive]
[Reentrant]
[GrainType("environment")]
internal sealed class EnvironmentGrain(
    IOptions<MatchOptions> matchOptions,
    IOptions<DurabilityOptions> durabilityOptions,
    ILocalSiloDetails silo,
    ISpaceStore store,
    ILogger<EnvironmentGrain> logger)
    : EnvironmentGrainBase(matchOptions, durabilityOptions, silo, store, logger), IEnvironmentGrain;
