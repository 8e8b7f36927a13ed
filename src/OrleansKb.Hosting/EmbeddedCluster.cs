using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansKb.Client;
using OrleansKb.Grains;
using OrleansKb.Persistence;

namespace OrleansKb.Hosting;

/// <summary>A silo hosted in this process (no gateway, loopback only), as <c>orleanskb --embedded</c> runs one.</summary>
public static class EmbeddedCluster
{
    /// <summary>
    /// Starts a silo in this process and connects to it: a cluster for the life of the returned
    /// object. Its spaces are kept in <paramref name="dataDirectory"/> (by default
    /// <see cref="FileSpaceStore.DefaultDirectory"/>, as a silo's), or, with <paramref name="ephemeral"/>,
    /// in memory only.
    /// </summary>
    public static async Task<KbCluster> StartAsync(string? dataDirectory = null, bool ephemeral = false, CancellationToken cancellationToken = default)
    {
        ISpaceStore store = ephemeral ? new MemorySpaceStore() : new FileSpaceStore(dataDirectory ?? FileSpaceStore.DefaultDirectory);
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            var siloPort = FreeLoopbackPort();
            builder.UseOrleans(silo => silo
                .UseLocalhostClustering(siloPort: siloPort, gatewayPort: 0, serviceId: KbCluster.DefaultServiceId, clusterId: $"{KbCluster.DefaultClusterId}-embedded")
                .UseOrleansKb()
                .UseSpaceStore(store));
            var host = builder.Build();
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            return new KbCluster(host, connection: null, $"embedded silo, spaces in {store.Description}", store as IDisposable);
        }
        catch
        {
            (store as IDisposable)?.Dispose();
            throw;
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
