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
using Microsoft.Extensions.Options;
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
IConfigurationRoot configuration;
SiloSettings settings;
(X509Certificate2 Local, X509Certificate2 Trusted)? certificates;
IPAddress listen, advertised;
try
{
    configuration = SiloSettings.Configuration(args);
    settings = SiloSettings.Read(configuration);
    (listen, advertised) = Addresses(settings);
    certificates = settings.Tls.Enabled ? settings.Tls.Load() : null;
}
catch (Exception e) when (IsRefusal(e))
{
    return Refuse(e);
}

// The host reads what it reads itself (its environment, logging) from the same configuration, on top of its own defaults.
IHostApplicationBuilder builder = settings.HttpPort is null ? Host.CreateApplicationBuilder(args) : WebApplication.CreateSlimBuilder(args);
builder.Configuration.AddConfiguration(configuration);

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

IHost host;
ISpaceStore store;
try
{
    builder.UseOrleans(silo =>
    {
        if (settings.UsesRedis)
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
        silo.Configure<ClusterMembershipOptions>(configuration.GetSection("Membership"));
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

        silo.UseOrleansKb()
            .Configure<MatchOptions>(configuration.GetSection("Match"))
            .Configure<DurabilityOptions>(configuration)
            .Configure<PartitionOptions>(configuration)
            .Configure<MemoryOptions>(configuration);
        _ = settings.Store.ToUpperInvariant() switch
        {
            "FILE" => silo.UseFileSpaceStore(options => options.Bind(configuration)),
            "POSTGRES" => silo.UsePostgresSpaceStore(options => options.Bind(configuration)),
            "MEMORY" => silo.UseMemorySpaceStore(),
            _ => throw new ArgumentException($"Store must be File, Postgres or Memory, not '{settings.Store}'"),
        };
        if (settings.Dashboard)
        {
            silo.AddDashboard();
        }
    });

    host = Build(builder, settings, listen, certificates);

    // Refused here, in one line, rather than by the host's start with a logged stack trace: settings
    // the options refuse, and a data directory another process holds (opened now, not at the first space).
    host.Services.GetService<IStartupValidator>()?.Validate();
    store = host.Services.GetRequiredService<ISpaceStore>();
}
catch (Exception e) when (IsRefusal(e))
{
    return Refuse(e);
}

if (settings.HttpApiKey is { Length: > 0 } && certificates is null && !IPAddress.IsLoopback(listen))
{
    SiloLog.KeyInTheClear(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansKb.Http"), listen.ToString());
}

tlsLog = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansKb.Tls");
host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() =>
    Console.WriteLine($"OrleansKb silo ready: silo port {settings.SiloPort}, gateway {(settings.UsesRedis ? advertised : "localhost")}:{settings.GatewayPort}, "
        + $"cluster '{settings.ClusterId}' ({(settings.UsesRedis ? "Redis" : "localhost")} clustering), spaces in {store.Description}, TLS {(certificates is null ? "off" : "on")}"
        + (settings.HttpPort is { } http ? $", HTTP API {(certificates is null ? "http" : "https")}://{(listen.Equals(IPAddress.Any) ? advertised : listen)}:{http}" : "")
        + (settings.Dashboard ? " (dashboard at /dashboard)" : "") + ". Ctrl+C to stop."));
await host.RunAsync(); // and disposes the host, with the store it made
Console.WriteLine("OrleansKb silo stopped.");
return 0;

// A setting the silo cannot run with: one line on standard error, and exit code 1.
static int Refuse(Exception e)
{
    Console.Error.WriteLine($"orleanskb-silo: {e.Message}");
    return 1;
}

// What a wrong setting throws while the silo is set up: a value refused (by the silo or an options
// validator) or that the configuration binder cannot convert ("Failed to convert configuration value
// 'x' at 'Match:MaxSeconds' to type 'System.Double'."), a file or data directory it cannot have, a
// host name that does not resolve.
static bool IsRefusal(Exception e) =>
    e is ArgumentException or OptionsValidationException or InvalidOperationException or DataDirectoryInUseException or IOException or UnauthorizedAccessException or SocketException;

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
