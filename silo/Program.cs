using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Dashboard;
using OrleansKb.Grains;
using OrleansKb.Hosting;
using OrleansKb.Http;
using OrleansKb.Persistence;
using OrleansKb.Persistence.Postgres;
using OrleansKb.Silo;

// A silo hosting OrleansKb spaces: `dotnet run --project silo` (deploy/README.md for its settings).
// With HttpPort set it is also a web host, serving the HTTP API (docs/http.md).
IHostApplicationBuilder builder = SiloSettings.Read(args).HttpPort is null ? Host.CreateApplicationBuilder(args) : WebApplication.CreateSlimBuilder(args);
builder.Configuration.AddEnvironmentVariables("ORLEANSKB_");
var settings = builder.Configuration.Get<SiloSettings>() ?? new SiloSettings();

// Orleans' placement logs every resilience-pipeline run (Polly) at Information. And its watchdog
// starts its platform thread before it sets the component check's first timestamp, so its first check
// can report "Participant check thread has not completed for" the time since boot: its warnings
// count only once the silo has run for a few seconds.
var started = Stopwatch.StartNew();
builder.Logging.AddFilter("Orleans", LogLevel.Warning).AddFilter("OrleansKb", LogLevel.Information).AddFilter("Microsoft", LogLevel.Warning).AddFilter("Polly", LogLevel.Warning)
    .AddFilter("Orleans.Runtime.Watchdog", level => level >= LogLevel.Error || (level >= LogLevel.Warning && started.Elapsed > TimeSpan.FromSeconds(10)))
    // A failed TLS handshake is logged with its stack trace, and so is every connection a client
    // opens only to see whether a gateway is up (KbCluster): certificates refused are logged below instead.
    .AddFilter("Orleans.Connections.Security", LogLevel.Error);
ILogger? tlsLog = null;

ISpaceStore store;
bool redis;
(X509Certificate2 Local, X509Certificate2 Trusted)? certificates;
IPAddress listen, advertised;
try
{
    redis = settings.Clustering.ToUpperInvariant() switch
    {
        "LOCALHOST" => false,
        "REDIS" => !string.IsNullOrEmpty(settings.RedisConnection) ? true : throw new ArgumentException("Clustering Redis needs RedisConnection (HOST:PORT of the Redis server)"),
        _ => throw new ArgumentException($"Clustering must be Localhost or Redis, not '{settings.Clustering}'"),
    };
    if ((redis || settings.PrimarySiloPort is not null) && settings.Store.Equals("File", StringComparison.OrdinalIgnoreCase))
    {
        // A space may be activated on any silo of the cluster, and a data directory is one silo's:
        // after a move the space would find another silo's directory, without its atoms.
        throw new ArgumentException("a cluster of several silos needs a store they all share: Store Postgres (or Store Memory, which keeps nothing); Store File is for a silo alone");
    }

    if (settings.Dashboard && settings.HttpPort is null)
    {
        throw new ArgumentException("Dashboard is served on the HTTP port: set HttpPort too");
    }

    if ((settings.HttpPort is null) != builder is not WebApplicationBuilder)
    {
        // The host was chosen from appsettings.json, ORLEANSKB_ variables and the command line alone.
        throw new ArgumentException("HttpPort must be given in appsettings.json, as ORLEANSKB_HTTPPORT or on the command line");
    }

    if (settings.HttpPort is { } port and (< 1 or > 65535))
    {
        throw new ArgumentException($"HttpPort must be a port number (1 to 65535), not {port}");
    }

    if (settings.HttpMaxBodyBytes < 1)
    {
        throw new ArgumentException($"HttpMaxBodyBytes must be at least 1, not {settings.HttpMaxBodyBytes}");
    }

    (listen, advertised) = Addresses(settings);
    certificates = settings.Tls.Enabled ? settings.Tls.Load() : null;
    store = settings.Store.ToUpperInvariant() switch
    {
        "FILE" => new FileSpaceStore(settings.DataDirectory ?? FileSpaceStore.DefaultDirectory),
        "POSTGRES" => new PostgresSpaceStore(settings.PostgresConnection is { Length: > 0 } connection ? connection : throw new ArgumentException("Store Postgres needs PostgresConnection (Host=…;Username=…;Database=…)")),
        "MEMORY" => new TransientSpaceStore(),
        _ => throw new ArgumentException($"Store must be File, Postgres or Memory, not '{settings.Store}'"),
    };
}
catch (Exception e) when (e is DataDirectoryInUseException or ArgumentException or IOException or UnauthorizedAccessException or SocketException)
{
    Console.Error.WriteLine($"orleanskb-silo: {e.Message}");
    return 1;
}

builder.UseOrleans(silo =>
{
    if (redis)
    {
        silo.UseRedisClustering(settings.RedisConnection!)
            .Configure<ClusterOptions>(options => (options.ClusterId, options.ServiceId) = (settings.ClusterId, settings.ServiceId))
            .Configure<EndpointOptions>(options =>
            {
                options.AdvertisedIPAddress = advertised;
                (options.SiloPort, options.GatewayPort) = (settings.SiloPort, settings.GatewayPort);
                options.SiloListeningEndpoint = new IPEndPoint(listen, settings.SiloPort);
                options.GatewayListeningEndpoint = new IPEndPoint(listen, settings.GatewayPort);
            });
    }
    else
    {
        silo.UseLocalhostClustering(
            siloPort: settings.SiloPort,
            gatewayPort: settings.GatewayPort,
            primarySiloEndpoint: settings.PrimarySiloPort is { } primary ? new IPEndPoint(IPAddress.Loopback, primary) : null,
            serviceId: settings.ServiceId,
            clusterId: settings.ClusterId);
    }

    // How fast a failed silo is found and its spaces come back elsewhere (deploy/README.md, "Failover").
    silo.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection("Membership"));
    if (certificates is { } tls)
    {
        silo.UseTls(options => ClusterTls.Configure(options, tls, refused =>
        {
            if (tlsLog is not null)
            {
                SiloLog.TlsPeerRefused(tlsLog, refused?.Subject, refused?.Thumbprint);
            }
        }));
    }

    silo.UseOrleansKb(match => builder.Configuration.GetSection("Match").Bind(match))
        .UseSpaceStore(store, durability => durability.SnapshotLogBytes = settings.SnapshotLogBytes);
    if (settings.Dashboard)
    {
        silo.AddDashboard();
    }
});

using var host = Build(builder, settings, listen, certificates);
if (settings.HttpApiKey is { Length: > 0 } && certificates is null && !IPAddress.IsLoopback(listen))
{
    SiloLog.KeyInTheClear(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansKb.Http"), listen.ToString());
}

tlsLog = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansKb.Tls");
host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() =>
    Console.WriteLine($"OrleansKb silo ready: silo port {settings.SiloPort}, gateway {(redis ? advertised : "localhost")}:{settings.GatewayPort}, "
        + $"cluster '{settings.ClusterId}' ({(redis ? "Redis" : "localhost")} clustering), spaces in {store.Description}, TLS {(certificates is null ? "off" : "on")}"
        + (settings.HttpPort is { } http ? $", HTTP API {(certificates is null ? "http" : "https")}://{(listen.Equals(IPAddress.Any) ? advertised : listen)}:{http}" : "")
        + (settings.Dashboard ? " (dashboard at /dashboard)" : "") + ". Ctrl+C to stop."));
await host.RunAsync();
(store as IDisposable)?.Dispose();
Console.WriteLine("OrleansKb silo stopped.");
return 0;

// The host: a web host serving the HTTP API on HttpPort (with the silo's certificate when TLS is on), or a plain one.
static IHost Build(IHostApplicationBuilder builder, SiloSettings settings, IPAddress listen, (X509Certificate2 Local, X509Certificate2 Trusted)? certificates)
{
    if (builder is not WebApplicationBuilder web)
    {
        return ((HostApplicationBuilder)builder).Build();
    }

    web.WebHost.ConfigureKestrel(kestrel =>
    {
        kestrel.Limits.MaxRequestBodySize = settings.HttpMaxBodyBytes;
        kestrel.Listen(listen, settings.HttpPort!.Value, endpoint =>
        {
            if (certificates is { } tls)
            {
                endpoint.UseHttps(tls.Local);
            }
        });
    });
    web.Services.AddOrleansKbHttp();
    var app = web.Build();
    app.MapOrleansKbHttp(settings.HttpApiKey, settings.Dashboard);
    return app;
}

// The address to listen on, and the one to tell the others (this host's own when listening on every interface).
static (IPAddress Listen, IPAddress Advertised) Addresses(SiloSettings settings)
{
    var listen = IPAddress.TryParse(settings.ListenAddress, out var address) ? address : throw new ArgumentException($"ListenAddress must be an IP address, not '{settings.ListenAddress}'");
    if (settings.AdvertisedAddress is { Length: > 0 } advertised)
    {
        return (listen, IPAddress.TryParse(advertised, out var parsed) ? parsed : Dns.GetHostAddresses(advertised).First(a => a.AddressFamily == AddressFamily.InterNetwork));
    }

    return (listen, !listen.Equals(IPAddress.Any) ? listen
        : Dns.GetHostAddresses(Dns.GetHostName()).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
          ?? throw new ArgumentException("ListenAddress 0.0.0.0 needs AdvertisedAddress: this host has no other IPv4 address to give"));
}
