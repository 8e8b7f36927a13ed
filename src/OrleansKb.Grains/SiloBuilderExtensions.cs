using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansKb.Persistence;
using Orleans.Configuration;

namespace OrleansKb.Grains;

/// <summary>Configures a silo to host OrleansKb spaces, and where it keeps them.</summary>
public static class SiloBuilderExtensions
{
    /// <summary>
    /// The message limits the client counts on (<see cref="SpaceLimits"/>), a response timeout long
    /// enough for a large batch, how matches run (<see cref="MatchOptions"/>) and when spaces take
    /// snapshots (<see cref="DurabilityOptions"/>) and when partitions split (<see cref="PartitionOptions"/>), all validated when the host starts. Spaces are
    /// kept in memory only unless a store is chosen (<see cref="UseFileSpaceStore"/>, …).
    /// </summary>
    public static ISiloBuilder UseOrleansKb(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.TryAddSingleton<ISpaceStore, MemorySpaceStore>();
        // Ephemeral spaces are in memory whatever the silo's store.
        silo.Services.AddKeyedSingleton<ISpaceStore, MemorySpaceStore>(SpaceStores.Ephemeral);
        silo.Services.AddOptions<DurabilityOptions>().ValidateOnStart();
        silo.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DurabilityOptions>, DurabilityOptionsValidation>());
        silo.Services.AddOptions<PartitionOptions>().ValidateOnStart();
        silo.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PartitionOptions>, PartitionOptionsValidation>());
        silo.Services.AddOptions<MemoryOptions>().ValidateOnStart();
        silo.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MemoryOptions>, MemoryOptionsValidation>());
        silo.Services.TryAddSingleton<SiloMemory>();
        silo.Services.AddHostedService<SiloMemoryReporter>();
        silo.Services.AddOptions<MatchOptions>().ValidateOnStart();
        silo.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MatchOptions>, MatchOptionsValidation>());
        silo.Configure<SiloMessagingOptions>(options =>
        {
            options.MaxMessageBodySize = SpaceLimits.MaxMessageBytes;
            options.ResponseTimeout = TimeSpan.FromMinutes(2);
        });
        silo.AddIncomingGrainCallFilter<SpaceCallTimer>();
        silo.AddPlacementDirector<PartitionPlacement, PartitionPlacementDirector>();
        return silo;
    }

    /// <summary>
    /// Keeps the silo's spaces in a data directory on local disk (<see cref="FileSpaceStore"/>), as
    /// <paramref name="configure"/> sets it (<see cref="FileSpaceStoreOptions"/>; by default
    /// <see cref="FileSpaceStore.DefaultDirectory"/>). The directory is opened, and its lock taken, when
    /// the store is first asked for — at the latest when the host starts, by the silo's memory reporter:
    /// a host that must know before that resolves <see cref="ISpaceStore"/>.
    /// </summary>
    public static ISiloBuilder UseFileSpaceStore(this ISiloBuilder silo, Action<OptionsBuilder<FileSpaceStoreOptions>>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var options = silo.Services.AddOptions<FileSpaceStoreOptions>().ValidateOnStart();
        configure?.Invoke(options);
        silo.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FileSpaceStoreOptions>, FileSpaceStoreOptionsValidation>());
        silo.Services.AddSingleton<ISpaceStore>(services => new FileSpaceStore(services.GetRequiredService<IOptions<FileSpaceStoreOptions>>().Value.DataDirectory));
        return silo;
    }

    /// <summary>Keeps the silo's spaces in memory only (<see cref="MemorySpaceStore"/>): nothing is kept once the silo stops.</summary>
    public static ISiloBuilder UseMemorySpaceStore(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddSingleton<ISpaceStore, MemorySpaceStore>();
        return silo;
    }

    /// <summary>Keeps the silo's spaces in <paramref name="store"/>, which its caller made and disposes (one store shared by the silos of a test cluster, say).</summary>
    public static ISiloBuilder UseSpaceStore(this ISiloBuilder silo, ISpaceStore store)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(store);
        silo.Services.AddSingleton(store);
        return silo;
    }
}
