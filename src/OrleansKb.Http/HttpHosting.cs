using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Dashboard;
using OpenTelemetry.Metrics;
using OrleansKb.Diagnostics;

namespace OrleansKb.Http;

/// <summary>What a silo host serves over HTTP (docs/http.md): the spaces' API, its OpenAPI document, health, metrics and, if asked, the Orleans Dashboard.</summary>
public static class HttpHosting
{
    /// <summary>
    /// The services the endpoints need: OpenAPI, problem details, the bounds of a match request
    /// (<see cref="HttpMatchOptions"/>), the health check, and OpenTelemetry
    /// metrics (OrleansKb's meter and Orleans') for Prometheus, each scrape read fresh (not a cached one).
    /// </summary>
    public static IServiceCollection AddOrleansKbHttp(this IServiceCollection services)
    {
        services.AddOpenApi();
        services.AddProblemDetails();
        services.AddOptions<HttpMatchOptions>()
            .BindConfiguration("HttpMatch")
            .Validate(match => match.MaxSeconds > 0 && match.MaxBytes > 0, "HttpMatch:MaxSeconds and HttpMatch:MaxBytes must be more than 0")
            .ValidateOnStart();
        services.AddHealthChecks().AddCheck<SiloHealthCheck>("silo");
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(KbMetrics.MeterName, "Microsoft.Orleans").AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        return services;
    }

    /// <summary>
    /// Maps <c>/spaces/…</c> (behind <paramref name="apiKey"/> if given), <c>/openapi.json</c>,
    /// <c>/healthz</c> and <c>/metrics</c> (open: they tell nothing about what the spaces hold), and with
    /// <paramref name="dashboard"/> the Orleans Dashboard at <c>/dashboard</c>.
    /// </summary>
    public static WebApplication MapOrleansKbHttp(this WebApplication app, string? apiKey, bool dashboard)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseStatusCodePages();
        app.MapOpenApi("/openapi.json");
        app.MapSpaceApi(apiKey);
        app.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            ResponseWriter = (context, report) => context.Response.WriteAsJsonAsync(
                new { status = report.Status.ToString(), checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Description) }),
        });
        app.MapPrometheusScrapingEndpoint("/metrics");
        if (dashboard)
        {
            // For a browser: not behind the key (docs/http.md says whom to let reach it).
            app.MapOrleansDashboard("/dashboard");
        }

        return app;
    }
}
