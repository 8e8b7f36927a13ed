using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansKb.Persistence;
using Orleans.Configuration;

namespace OrleansKb.Grains;

/// <summary>Configures a silo to host OrleansKb spaces.</summary>
public static class SiloBuilderExtensions
{
    /// <summary>
    /// The message limits the client counts on (<see cref="SpaceLimits"/>), a response timeout long
    /// enough for a large batch, and how matches run (<see cref="MatchOptions"/>; the defaults, then
    /// <paramref name="configureMatch"/>).
    /// </summary>
    public static ISiloBuilder UseOrleansKb(this ISiloBuilder silo, Action<MatchOptions>? configureMatch = null)
    {
        ArgumentNullException.ThrowIfNull(silo);

        // Spaces in memory unless a store is given (UseSpaceStore); ephemeral spaces always in memory.
        silo.Services.TryAddSingleton<ISpaceStore, MemorySpaceStore>();
        silo.Services.AddKeyedSingleton<ISpaceStore, TransientSpaceStore>(SpaceStores.Ephemeral);
        silo.Services.AddOptions<DurabilityOptions>().PostConfigure(options => options.Validate());
        silo.Configure<SiloMessagingOptions>(options =>
        {
            options.MaxMessageBodySize = SpaceLimits.MaxMessageBytes;
            options.ResponseTimeout = TimeSpan.FromMinutes(2);
        });
        silo.AddIncomingGrainCallFilter<SpaceCallTimer>();
        silo.Services.AddOptions<MatchOptions>()
            .Configure(options => configureMatch?.Invoke(options))
            .PostConfigure(options => options.Validate());
        return silo;
    }

    /// <summary>
    /// Keeps the silo's durable spaces in <paramref name="store"/> (a <see cref="FileSpaceStore"/>, say),
    /// with snapshots taken as <paramref name="configure"/> sets (<see cref="DurabilityOptions"/>).
    /// </summary>
    public static ISiloBuilder UseSpaceStore(this ISiloBuilder silo, ISpaceStore store, Action<DurabilityOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(store);
        silo.Services.AddSingleton(store);
        silo.Services.AddOptions<DurabilityOptions>().Configure(options => configure?.Invoke(options));
        return silo;
    }
}
