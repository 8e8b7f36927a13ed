using System.IO.Hashing;
using System.Text;
using Orleans.Runtime.Placement;
using OrleansKb.Persistence;
using OrleansKb.Spaces;

namespace OrleansKb.Grains;

/// <summary>
/// Picks the silo of a space's grain by <see cref="PartitionPlacement"/>, passing over a silo whose
/// last memory report leaves no room for what the space needs to open (<see cref="SiloMemory.PlaceWhereItFits"/>).
/// </summary>
internal sealed class PartitionPlacementDirector(ISpaceStore store, SiloMemory memory) : IPlacementDirector
{
    // Only a durable space has something to recover: an ephemeral one starts empty.
    private static readonly GrainType DurableSpace = GrainType.Create("environment");

    // How long placement waits for the store to say what a space's recovery reads: every call to the
    // space waits for its placement.
    private static readonly TimeSpan StoreWait = TimeSpan.FromSeconds(2);

    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        if (silos.Length == 1)
        {
            return silos[0];
        }

        Array.Sort(silos, (a, b) => string.CompareOrdinal(a.ToParsableString(), b.ToParsableString()));
        var name = target.GrainIdentity.Key.ToString()!;
        var (space, partition) = PartitionNames.Parse(name);
        var start = XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(space)) + (uint)partition;
        var inOrder = Enumerable.Range(0, silos.Length).Select(i => silos[(int)((start + (uint)i) % (uint)silos.Length)]).ToArray();
        var reports = memory.Cluster;
        if (reports.Count == 0)
        {
            return inOrder[0];
        }

        long needed = 0;
        if (target.GrainIdentity.Type == DurableSpace)
        {
            try
            {
                using var wait = new CancellationTokenSource(StoreWait);
                needed = SiloMemory.RecoveryNeeds(await store.RecoveryBytesOfAsync(name, wait.Token));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The store cannot say: the space goes where the rule says, and that silo asks again as it opens it.
                return inOrder[0];
            }
        }

        return inOrder[SiloMemory.PlaceWhereItFits([.. inOrder.Select(silo => silo.ToParsableString())], reports, needed)];
    }
}
