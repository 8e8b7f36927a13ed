using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansKb.Grains;
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
builder.Logging.AddFilter("Orleans", LogLevel.Warning).AddFilter("Microsoft", LogLevel.Warning).AddFilter("Polly", LogLevel.Warning)
    .AddFilter("Orleans.Runtime.Watchdog", level => level >= LogLevel.Error || (level >= LogLevel.Warning && started.Elapsed > TimeSpan.FromSeconds(10)));
builder.UseOrleans(silo => silo
    .UseLocalhostClustering(
        siloPort: settings.SiloPort,
        gatewayPort: settings.GatewayPort,
        primarySiloEndpoint: settings.PrimarySiloPort is { } primary ? new IPEndPoint(IPAddress.Loopback, primary) : null,
        serviceId: settings.ServiceId,
        clusterId: settings.ClusterId)
    .UseOrleansKb(match => builder.Configuration.GetSection("Match").Bind(match)));

using var host = builder.Build();
host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() =>
    Console.WriteLine($"OrleansKb silo ready: silo port {settings.SiloPort}, gateway localhost:{settings.GatewayPort}, cluster '{settings.ClusterId}'. Ctrl+C to stop."));
await host.RunAsync();
Console.WriteLine("OrleansKb silo stopped.");
