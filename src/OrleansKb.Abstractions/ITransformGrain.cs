using Orleans;

namespace OrleansKb;

/// <summary>
/// The coordinator of one transform (docs/transform.md): in a silo, it matches a pattern in a space
/// and adds (or removes) each solution's instantiated templates in a target space, a slice at a time
/// as its caller asks, so nothing but counts travels to the caller. One grain per transform, named by
/// a new <see cref="Guid"/>; it goes away once finished, closed, or left without requests.
/// </summary>
[Alias("OrleansKb.ITransformGrain")]
public interface ITransformGrain : IGrainWithGuidKey
{
    /// <summary>
    /// Starts the transform of <paramref name="space"/>'s solutions of <see cref="MatchQuery.Pattern"/>
    /// by <see cref="MatchQuery.Template"/> (an atom or <c>(, t1 … tm)</c>, each <c>(- t)</c> removing)
    /// into <paramref name="into"/> (both spaces <paramref name="ephemeral"/> or both durable), at most
    /// <paramref name="limit"/> solutions a round; with <paramref name="maxRounds"/> above 1, rounds
    /// are repeated until one adds nothing new (a fixpoint; <paramref name="into"/> is then the space
    /// itself) or that many have run: semi-naively (each round joining what the round before added),
    /// unless <paramref name="naive"/> (each round matching every solution again) or a template
    /// removes. Runs its first slice.
    /// </summary>
    [Alias("Open")]
    Task<TransformProgress> Open(string space, string into, bool ephemeral, MatchQuery query, long limit, int maxRounds, bool naive);

    /// <summary>Runs the next slice (about a second of work); what it reports added is durable.</summary>
    [Alias("Next")]
    Task<TransformProgress> Next();

    /// <summary>Stops the transform; what was reported added stays.</summary>
    [Alias("Close")]
    Task<TransformProgress> Close();
}
