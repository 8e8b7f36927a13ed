using Orleans.Configuration;

namespace OrleansKb.Client;

/// <summary>Configures an Orleans client to talk to OrleansKb silos.</summary>
public static class ClientBuilderExtensions
{
    /// <summary>The message limits the silo uses (<see cref="SpaceLimits"/>), and a response timeout long enough for a large batch.</summary>
    public static IClientBuilder UseOrleansKb(this IClientBuilder client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.Configure<ClientMessagingOptions>(options =>
        {
            options.MaxMessageBodySize = SpaceLimits.MaxMessageBytes;
            options.ResponseTimeout = TimeSpan.FromMinutes(2);
        });
    }
}
