using Orleans;

namespace OrleansKb;

/// <summary>
/// The coordinator of one match of a conjunction over a divided space (docs/cluster.md, "Partitioned
/// spaces"), in a silo, close to the partitions: it joins the conjuncts a page of bindings at a time,
/// sending each partition many rows of bindings per message (<see cref="IEnvironmentGrain.MatchRowsOpen"/>).
/// One grain per match, named by a new <see cref="Guid"/>; its pages are a match's pages
/// (<see cref="MatchPage"/>), asked for one at a time, and it goes away once finished, closed, or left
/// without requests.
/// </summary>
[Alias("OrleansKb.IJoinGrain")]
public interface IJoinGrain : IGrainWithGuidKey
{
    /// <summary>Starts the match of <see cref="MatchQuery.Pattern"/>, a conjunction, on the space whose partition 0 is <paramref name="space"/>; returns its first page.</summary>
    [Alias("Open")]
    Task<MatchPage> Open(GrainId space, MatchQuery query, MatchRequest request);

    /// <summary>
    /// Starts the match of the conjunction under <paramref name="rows"/> (each an expression of its
    /// distinct variables in the order they come, some replaced by values): the solutions that extend
    /// a row's bindings. A transform to a fixpoint joins a round's new atoms with the space this way.
    /// </summary>
    [Alias("OpenUnder")]
    Task<MatchPage> OpenUnder(GrainId space, MatchQuery query, AtomBatch rows, MatchRequest request);

    /// <summary>The next page.</summary>
    [Alias("Next")]
    Task<MatchPage> Next();

    /// <summary>Stops the match and frees what it holds in the partitions.</summary>
    [Alias("Close")]
    Task Close();
}
