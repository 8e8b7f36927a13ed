using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansKb.Persistence;

namespace OrleansKb.Grains;

/// <summary>
/// Reports the silo's memory to the store its silos share every <see cref="Every"/>, and reads every
/// silo's latest report back into <see cref="SiloMemory.Cluster"/>: what placing a space where it
/// fits goes by (docs/cluster.md, "Placing a space where it fits"): those of the silos the cluster's
/// membership holds active, so a silo that stopped a moment ago is not named as one with room.
/// </summary>
internal sealed class SiloMemoryReporter(ISpaceStore store, SiloMemory memory, ILocalSiloDetails silo, IClusterMembershipService membership, ILogger<SiloMemoryReporter> logger) : BackgroundService
{
    internal static readonly TimeSpan Every = TimeSpan.FromSeconds(2);

    // A silo not heard from for this long is not counted: it stopped, or cannot reach the store.
    private static readonly TimeSpan Stale = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every);
        var failing = false;
        do
        {
            try
            {
                await store.ReportSiloMemoryAsync(memory.ReportAs(silo.SiloAddress.ToParsableString(), DateTimeOffset.UtcNow), stoppingToken);
                var reports = await store.SiloMemoryReportsAsync(Stale, stoppingToken);
                var members = membership.CurrentSnapshot;
                memory.Cluster = [.. reports.Where(report => members.GetSiloStatus(SiloAddress.FromParsableString(report.Silo)) == SiloStatus.Active)];
                failing = false;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The store's own health check says why it is unreachable; placement goes by the rule meanwhile.
                memory.Cluster = [];
                if (!failing)
                {
                    SpaceLog.MemoryReportFailed(logger, e);
                    failing = true;
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
