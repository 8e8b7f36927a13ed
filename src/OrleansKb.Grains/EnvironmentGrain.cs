using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansKb.Persistence;

namespace OrleansKb.Grains;

/// <summary>A durable space, in the silo's store (a data directory by default).</summary>
[PartitionPlacement]
[GrainType("environment")]
internal sealed class EnvironmentGrain(
    IOptions<MatchOptions> matchOptions,
    IOptions<DurabilityOptions> durabilityOptions,
    IOptions<PartitionOptions> partitionOptions,
    SiloMemory memory,
    ILocalSiloDetails silo,
    ISpaceStore store,
    ILogger<EnvironmentGrain> logger)
    : EnvironmentGrainBase(matchOptions, durabilityOptions, partitionOptions, memory, silo, store, logger), IEnvironmentGrain, IPartitionGrain;
