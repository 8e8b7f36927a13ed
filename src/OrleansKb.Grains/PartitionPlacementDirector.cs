using System.IO.Hashing;
using System.Text;
using Orleans.Runtime.Placement;
using OrleansKb.Spaces;

namespace OrleansKb.Grains;

/// <summary>Picks the silo of a space's grain by <see cref="PartitionPlacement"/>.</summary>
internal sealed class PartitionPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        if (silos.Length == 1)
        {
            return Task.FromResult(silos[0]);
        }

        Array.Sort(silos, (a, b) => string.CompareOrdinal(a.ToParsableString(), b.ToParsableString()));
        var (space, partition) = PartitionNames.Parse(target.GrainIdentity.Key.ToString());
        var start = XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(space));
        return Task.FromResult(silos[(int)((start + (uint)partition) % (uint)silos.Length)]);
    }
}
