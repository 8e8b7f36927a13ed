using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansKb.Persistence;

namespace OrleansKb.Grains;

/// <summary>An ephemeral space, in the silo's memory only, whatever the silo's store.</summary>
[PartitionPlacement]
[GrainType("ephemeral-environment")]
internal sealed class EphemeralEnvironmentGrain(
    IOptions<MatchOptions> matchOptions,
    IOptions<DurabilityOptions> durabilityOptions,
    IOptions<PartitionOptions> partitionOptions,
    SiloMemory memory,
    ILocalSiloDetails silo,
    [FromKeyedServices(SpaceStores.Ephemeral)] ISpaceStore store,
    ILogger<EphemeralEnvironmentGrain> logger)
    : EnvironmentGrainBase(matchOptions, durabilityOptions, partitionOptions, memory, silo, store, logger), IEphemeralEnvironmentGrain, IPartitionGrain;
