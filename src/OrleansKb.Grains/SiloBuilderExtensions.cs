using Orleans.Configuration;

namespace OrleansKb.Grains;

/// <summary>Configures a silo to host OrleansKb spaces.</summary>
public static class SiloBuilderExtensions
{
    /// <summary>The message limits the client counts on (<see cref="SpaceLimits"/>), and a response timeout long enough for a large batch.</summary>
    public static ISiloBuilder UseOrleansKb(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Configure<SiloMessagingOptions>(options =>
        {
            options.MaxMessageBodySize = SpaceLimits.MaxMessageBytes;
            options.ResponseTimeout = TimeSpan.FromMinutes(2);
        });
        return silo;
    }
}
