using Orleans;

namespace OrleansKb;

/// <summary>
/// How far a transform has gone: the pattern's solutions found (over all rounds), the atoms added that
/// were new, those removed that were there, the rounds run, whether it has finished, and why it
/// stopped before its fixpoint (<c>Stopped</c>: null unless a budget stopped it).
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("OrleansKb.TransformProgress")]
public sealed record TransformProgress(
    [property: Id(0)] long Solutions,
    [property: Id(1)] long Added,
    [property: Id(2)] long Removed,
    [property: Id(3)] int Rounds,
    [property: Id(4)] bool Finished,
    [property: Id(5)] string? Stopped = null);
