using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;
using OrleansKb.Grains;
using OrleansKb.Persistence;

namespace OrleansKb.Http;

/// <summary>
/// Ready when the silo has joined its cluster (it is active in the membership) and its store can open
/// spaces; degraded while its heap is past its memory's high-water mark (it refuses writes).
/// </summary>
internal sealed class SiloHealthCheck(IClusterMembershipService membership, ILocalSiloDetails silo, ISpaceStore store, SiloMemory memory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        if (status != SiloStatus.Active)
        {
            return HealthCheckResult.Unhealthy($"the silo has not joined its cluster: it is {status}");
        }

        try
        {
            await store.CheckAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            return HealthCheckResult.Unhealthy($"the store cannot open spaces: {e.Message}");
        }

        if (memory.AboveHighWater)
        {
            return HealthCheckResult.Degraded(
                $"the heap holds {SiloMemory.Size(SiloMemory.Used)} of the {SiloMemory.Size(memory.Budget)} memory budget, past the high-water mark of {SiloMemory.Size(memory.HighWater)}: writes are refused");
        }

        return HealthCheckResult.Healthy($"joined the cluster; spaces in {store.Description}; heap {SiloMemory.Size(SiloMemory.Used)} of {SiloMemory.Size(memory.Budget)}");
    }
}
