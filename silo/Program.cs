using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansKb.Grains;
using OrleansKb.Persistence;
using OrleansKb.Silo;

// A silo hosting OrleansKb spaces, with localhost clustering: `dotnet run --project silo`.
var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddEnvironmentVariables("ORLEANSKB_");
var settings = builder.Configuration.Get<SiloSettings>() ?? new SiloSettings();

// Orleans' placement logs every resilience-pipeline run (Polly) at Information. And its watchdog
// starts its platform thread before it sets the component check's first timestamp, so its first check
// can report "Participant check thread has not completed for" the time since boot: its warnings
// count only once the silo has run for a few seconds.
var started = Stopwatch.StartNew();
builder.Logging.AddFilter("Orleans", LogLevel.Warning).AddFilter("OrleansKb", LogLevel.Information).AddFilter("Microsoft", LogLevel.Warning).AddFilter("Polly", LogLevel.Warning)
    .AddFilter("Orleans.Runtime.Watchdog", level => level >= LogLevel.Error || (level >= LogLevel.Warning && started.Elapsed > TimeSpan.FromSeconds(10)));

ISpaceStore store;
try
{
    store = settings.Store.ToUpperInvariant() switch
    {
        "FILE" => new FileSpaceStore(settings.DataDirectory ?? FileSpaceStore.DefaultDirectory),
        "MEMORY" => new TransientSpaceStore(),
        _ => throw new ArgumentException($"Store must be File or Memory, not '{settings.Store}'"),
    };
}
catch (Exception e) when (e is DataDirectoryInUseException or ArgumentException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"orleanskb-silo: {e.Message}");
    return 1;
}

builder.UseOrleans(silo => silo
    .UseLocalhostClustering(
        siloPort: settings.SiloPort,
        gatewayPort: settings.GatewayPort,
        primarySiloEndpoint: settings.PrimarySiloPort is { } primary ? new IPEndPoint(IPAddress.Loopback, primary) : null,
        serviceId: settings.ServiceId,
        clusterId: settings.ClusterId)
    .UseOrleansKb(match => builder.Configuration.GetSection("Match").Bind(match))
    .UseSpaceStore(store, durability => durability.SnapshotLogBytes = settings.SnapshotLogBytes));

using var host = builder.Build();
host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() =>
    Console.WriteLine($"OrleansKb silo ready: silo port {settings.SiloPort}, gateway localhost:{settings.GatewayPort}, cluster '{settings.ClusterId}', spaces in {store.Description}. Ctrl+C to stop."));
await host.RunAsync();
(store as IDisposable)?.Dispose();
Console.WriteLine("OrleansKb silo stopped.");
return 0;
