using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Runtime.Messaging;

namespace OrleansKb.Client;

/// <summary>
/// A connection to an OrleansKb cluster — through a gateway, or to a silo hosted in this process —
/// and the spaces in it.
/// </summary>
public sealed class KbCluster : IAsyncDisposable
{
    /// <summary>The cluster id both the silo and the client use unless told otherwise.</summary>
    public const string DefaultClusterId = "orleanskb";

    /// <summary>The service id both the silo and the client use unless told otherwise.</summary>
    public const string DefaultServiceId = "orleanskb";

    private readonly IHost _host;
    private readonly IGrainFactory _grains;
    private readonly ConnectionWatch? _connection;

    // What the host runs on and is released after it: an embedded silo's store (its data directory unlocked).
    private readonly IDisposable? _owned;

    /// <summary>A cluster reached through <paramref name="host"/>'s grain factory, a client's or a silo's (an embedded one: OrleansKb.Hosting), disposed with it, then <paramref name="owned"/>.</summary>
    internal KbCluster(IHost host, ConnectionWatch? connection, string description, IDisposable? owned = null)
    {
        _host = host;
        _grains = host.Services.GetRequiredService<IGrainFactory>();
        _connection = connection;
        _owned = owned;
        Description = description;
    }

    /// <summary>Where this client is connected, for messages.</summary>
    public string Description { get; }

    /// <summary>Connects through the gateways at <paramref name="gateways"/> (<c>HOST:PORT</c>, comma-separated), as <see cref="ConnectAsync(KbConnectOptions, CancellationToken)"/>.</summary>
    public static Task<KbCluster> ConnectAsync(string gateways, CancellationToken cancellationToken = default) =>
        ConnectAsync(new KbConnectOptions { Gateways = gateways }, cancellationToken);

    /// <summary>
    /// Connects to the cluster <paramref name="options"/> names. Gives up after a few seconds, whatever
    /// the step it is stuck in (no answer, something that is not an OrleansKb gateway, a TLS handshake
    /// refused), with a <see cref="KbConnectionException"/> that says where it tried — or, when a gateway's
    /// port accepts connections and none was refused, after up to half a minute (<see cref="GatewayWait"/>):
    /// a busy machine can take that long to start a client.
    /// </summary>
    public static async Task<KbCluster> ConnectAsync(KbConnectOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var resolveTime = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        resolveTime.CancelAfter(GatewayWait.Timeout);
        var where = options.Where;
        var cannotReach = $"cannot reach the cluster at {where} (cluster '{options.ClusterId}')";
        IPEndPoint[] endpoints = [];
        try
        {
            if (options.GatewayList is null)
            {
                endpoints = await Task.WhenAll(options.Gateways.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                    .DefaultIfEmpty("")
                    .Select(gateway => ResolveAsync(gateway, resolveTime.Token))).ConfigureAwait(false);
                endpoints = await AcceptingAsync(endpoints, resolveTime.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new KbConnectionException($"{cannotReach}: its name did not resolve within {GatewayWait.Timeout.TotalSeconds:N0} s", e);
        }

        // The empty builder: no configuration files, environment or logging providers to set up.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var connection = new ConnectionWatch(where);
        var wait = new GatewayWait(endpoints);
        builder.UseOrleansClient(client =>
        {
            if (options.GatewayList is { } list)
            {
                list.Configure(client);
            }
            else
            {
                client.UseStaticClustering(endpoints);
            }

            try
            {
                options.Tls?.Configure(client);
            }
            catch (ArgumentException e)
            {
                throw new KbConnectionException(e.Message, e);
            }

            client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (options.ClusterId, options.ServiceId))
            .UseOrleansKb()
            .AddClusterConnectionStatusObserver(connection)
            // Orleans would retry for about three minutes; a command line should answer in seconds.
            .UseConnectionRetryFilter((_, token) => wait.RetryAsync(token));
        });
        var host = builder.Build();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            // Bounded whatever the phase: a port that accepts the connection but never completes the
            // handshake (a silo-to-silo port, say) would otherwise hold the start forever.
            await wait.WaitAsync(host.StartAsync(stop.Token), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ConnectionFailedException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            Abandon(host);
            throw new KbConnectionException(
                e is ConnectionFailedException ? $"{cannotReach}: {e.Message}"
                : wait.SlowNotRefused ? $"{cannotReach}: {where} accepts connections, but this client did not finish connecting within {wait.Waited.TotalSeconds:N0} s: is this machine too busy? ({NoAnswerHint(options)})"
                : $"{cannotReach}: no OrleansKb gateway answered within {wait.Waited.TotalSeconds:N0} s ({NoAnswerHint(options)})",
                e);
        }
        catch
        {
            Abandon(host);
            throw;
        }

        return new KbCluster(host, connection, $"gateway {where}");
    }

    /// <summary>The space named <paramref name="name"/> (created on first use): durable, or with <paramref name="ephemeral"/> in the silo's memory only.</summary>
    public KbSpace Space(string name, bool ephemeral = false) => KbSpace.Of(_grains, name, ephemeral, _connection);

    /// <summary>Disconnects (an embedded silo: stops it, and releases its data directory).</summary>
    public async ValueTask DisposeAsync()
    {
        // A graceful stop, but a bounded one: with the cluster gone there is no one to be graceful to.
        await StopAsync(_host, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _connection?.Dispose();
        _owned?.Dispose();
    }

    /// <summary>Stops a client that did not start, in the background: its stop can be as stuck as its start was.</summary>
    private static void Abandon(IHost host) => _ = Task.Run(() => StopAsync(host, TimeSpan.FromSeconds(1)));

    /// <summary>Stops and disposes a host, giving up on a graceful stop after <paramref name="timeout"/>.</summary>
    private static async Task StopAsync(IHost host, TimeSpan timeout)
    {
        using var stop = new CancellationTokenSource(timeout);
        try
        {
            await host.StopAsync(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped as far as it could in the time.
        }
        finally
        {
            host.Dispose();
        }
    }

    /// <summary>Why a gateway that accepts connections may still not answer.</summary>
    private static string NoAnswerHint(KbConnectOptions options) => options.Tls is not null
        ? $"is {options.Where} a gateway? a silo's silo-to-silo port is not; or did it refuse this client's certificate? it must chain to the cluster's"
        : $"is {options.Where} a gateway? a silo's silo-to-silo port is not; or does the cluster require TLS? then give --tls-certificate";

    private static async Task<IPEndPoint> ResolveAsync(string gateway, CancellationToken cancellationToken)
    {
        var colon = gateway.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(gateway.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
        {
            throw new KbConnectionException($"'{gateway}' is not a gateway address: expected HOST:PORT, e.g. localhost:30000");
        }

        var host = gateway[..colon];
        if (IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            return new IPEndPoint(address, port);
        }

        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            // No resolver round trip for the common case (and localhost clustering listens on IPv4).
            return new IPEndPoint(IPAddress.Loopback, port);
        }

        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            return new IPEndPoint(addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses[0], port);
        }
        catch (SocketException e)
        {
            throw new KbConnectionException($"cannot resolve the gateway host '{host}': {e.Message}", e);
        }
    }

    /// <summary>
    /// The gateways that accept a connection (all of them if none does): Orleans would otherwise pick
    /// one at random and, if it is a dead silo's, wait seconds before it tries another.
    /// </summary>
    private static async Task<IPEndPoint[]> AcceptingAsync(IPEndPoint[] gateways, CancellationToken cancellationToken)
    {
        if (gateways.Length < 2)
        {
            return gateways;
        }

        var live = await GatewayWait.AcceptingAsync(gateways, asGateway: false, cancellationToken).ConfigureAwait(false);
        return live.Length > 0 ? live : gateways;
    }
}
