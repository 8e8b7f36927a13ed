using Orleans;

namespace OrleansKb;

/// <summary>
/// A space: one grain per space name, owning the space's atoms and rule index in memory, and its
/// log and snapshots in the silo's store. Every batch is validated whole before any of it is
/// applied; a malformed one is refused with nothing applied. A change is acknowledged only once it
/// is durable (docs/durability.md). Every answer is bounded in bytes (<see cref="SpaceLimits"/>):
/// what can be large comes in pages. A space may be divided into partitions, each a grain of this
/// type owning a range of keys (docs/cluster.md, "Partitioned spaces"); a partition checks the map
/// epoch a call carries (<see cref="SpacePartitions.EpochKey"/>) before anything else.
/// </summary>
[Alias("OrleansKb.IEnvironmentGrain")]
[Orleans.Metadata.DefaultGrainType("environment")]
public interface IEnvironmentGrain : IGrainWithStringKey
{
    /// <summary>Adds the atoms; returns how many were new.</summary>
    [Alias("AddFacts")]
    Task<int> AddFacts(AtomBatch batch);

    /// <summary>Adds the atoms; returns those that were new (a transform's next round joins them).</summary>
    [Alias("AddFactsReportingNew")]
    Task<AtomBatch> AddFactsReportingNew(AtomBatch batch);

    /// <summary>Adds rules <c>(= lhs rhs)</c> in order; if any atom is not a rule, none is added.</summary>
    [Alias("AddRules")]
    Task<int> AddRules(AtomBatch batch);

    /// <summary>Removes the atoms; returns how many were present.</summary>
    [Alias("Remove")]
    Task<int> Remove(AtomBatch batch);

    /// <summary>For each atom, whether the space holds it (or one alpha-equivalent to it).</summary>
    [Alias("Contains")]
    Task<bool[]> Contains(AtomBatch batch);

    /// <summary>The number of atoms.</summary>
    [Alias("Count")]
    Task<long> Count();

    /// <summary>
    /// The atoms after <paramref name="after"/> (an encoded atom; empty for the first page) in key
    /// order, up to about <paramref name="maxBytes"/>; an empty batch when there are no more.
    /// </summary>
    [Alias("ExportPage")]
    Task<AtomBatch> ExportPage(ReadOnlyMemory<byte> after, int maxBytes);

    /// <summary>
    /// A page of the rules for (head, arity): those indexed under it, then the matching wildcard rules,
    /// each group in insertion order; from position <paramref name="from"/> (0 for the first page; then
    /// the previous page's <see cref="RulesPage.Next"/>), up to about <paramref name="maxBytes"/>. The
    /// head is the symbol's bytes: a symbol's name may hold bytes that are not UTF-8, which a string
    /// would not carry over the wire.
    /// </summary>
    [Alias("RulesPageOfHeadBytes")]
    Task<RulesPage> RulesPage(ReadOnlyMemory<byte> head, int arity, long from, int maxBytes);

    /// <summary>
    /// Starts a <c>match</c> of <see cref="MatchQuery.Pattern"/> and returns its first page: each
    /// solution's <see cref="MatchQuery.Template"/> instantiated, or only the count of solutions.
    /// Solutions are found only as pages are asked for: ask with <see cref="MatchNext"/> until a page
    /// is <see cref="MatchPage.Finished"/>, or stop with <see cref="MatchClose"/>; a match nobody asks
    /// about for a while is closed by the space.
    /// </summary>
    // The aliases changed with the explicit query (a silo does not take the older clients' matches).
    [Alias("MatchOpen.2")]
    Task<MatchPage> MatchOpen(MatchQuery query, MatchRequest request);

    /// <summary>
    /// Starts a match of one level of a join over a divided space and returns its first page: what a
    /// coordinator joining a conjunction (<see cref="IJoinGrain"/>) sends a partition.
    /// <paramref name="level"/>'s pattern is an encoded <c>(VARIABLES CONJUNCT)</c> — the conjunction's
    /// variables, and the conjunct this level matches — and its template is what each solution gives
    /// (the variables' row for the next level, or the match's template), or empty to count only;
    /// the conjunct is matched under each of <paramref name="rows"/> in turn, each an encoded expression
    /// of the variables' values (a new variable for one not bound yet), at most
    /// <see cref="MatchRequest.Limit"/> solutions in all. Continued and stopped as <see cref="MatchOpen"/>'s.
    /// </summary>
    [Alias("MatchRowsOpen")]
    Task<MatchPage> MatchRowsOpen(MatchQuery level, AtomBatch rows, MatchRequest request);

    /// <summary>The next page of an open match.</summary>
    [Alias("MatchNext.2")]
    Task<MatchPage> MatchNext(MatchId match);

    /// <summary>Stops an open match and frees what it holds (nothing happens if it is already closed).</summary>
    [Alias("MatchClose.2")]
    Task MatchClose(MatchId match);

    /// <summary>
    /// On partition 0 of a divided space: the partitions (indices in key order of the map the call was
    /// routed by) that can hold what the encoded <paramref name="pattern"/> matches — those its constant
    /// prefix overlaps, less those whose summary of later arguments lacks its first ground argument
    /// after the first (docs/cluster.md, "Lookups by a later argument"). A call routed by another map
    /// than partition 0 holds is refused (<see cref="PartitionMapChangedException"/>).
    /// </summary>
    [Alias("PartitionsHolding")]
    Task<int[]> PartitionsHolding(ReadOnlyMemory<byte> pattern);

    /// <summary>The space's partition map as this partition holds it (docs/cluster.md); epoch 0 and one partition for a space never divided.</summary>
    [Alias("Partitions")]
    Task<SpacePartitions> Partitions();

    /// <summary>
    /// Divides an empty space that was never divided into partitions cut at <paramref name="splits"/>
    /// (encoded keys in increasing order), and returns the map it then has — the one it already had,
    /// when it was divided before. A space that holds atoms is refused (<see cref="InvalidAtomBatchException"/>):
    /// <see cref="Repartition"/> divides one. Called on the space (partition 0).
    /// </summary>
    [Alias("Divide.2")]
    Task<SpacePartitions> Divide(byte[][] splits);

    /// <summary>
    /// Divides the space anew into <paramref name="partitions"/> partitions of about equal size, cut at
    /// the quantiles of a sample of its keys, online: reads are answered throughout, and a change sent
    /// meanwhile is applied, or waits and is then sent again by its client (docs/cluster.md, "Changing
    /// the partitions"). Called on the space (partition 0). An empty space is refused (<see cref="InvalidAtomBatchException"/>).
    /// </summary>
    [Alias("Repartition")]
    [ResponseTimeout("01:00:00")]
    Task<RepartitionResult> Repartition(int partitions);

    /// <summary>The space's name, size, store, host silo and open matches.</summary>
    [Alias("Info")]
    Task<SpaceInfo> Info();

    /// <summary>Takes a snapshot now (after any being taken) and returns the space's info once it is published.</summary>
    [Alias("Snapshot")]
    Task<SpaceInfo> Snapshot();

    /// <summary>
    /// Unloads the space from memory once it is idle; its next call activates it again, recovering it
    /// from its store. Frees a large space nobody uses (an ephemeral space keeps its memory store).
    /// </summary>
    [Alias("Unload")]
    Task Unload();

    /// <summary>Removes every atom.</summary>
    [Alias("Clear")]
    Task Clear();
}
