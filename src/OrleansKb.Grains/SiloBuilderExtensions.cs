using Microsoft.Extensions.DependencyInjection;
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
        silo.Configure<SiloMessagingOptions>(options =>
        {
            options.MaxMessageBodySize = SpaceLimits.MaxMessageBytes;
            options.ResponseTimeout = TimeSpan.FromMinutes(2);
        });
        silo.Services.AddOptions<MatchOptions>()
            .Configure(options => configureMatch?.Invoke(options))
            .PostConfigure(options => options.Validate());
        return silo;
    }
}
