using System.Runtime.CompilerServices;
using OrleansKb.Atoms;
using OrleansKb.Codec;

namespace OrleansKb.Spaces;

/// <summary>
/// A conjunction matched over a divided space (docs/cluster.md, "Partitioned spaces"), by a
/// coordinator close to the data: a batched index nested-loop join. The conjuncts are joined one
/// level each, in the order of least estimated work from the partitions' statistics
/// (<see cref="OrderedByStatistics"/>), or without them in one that routes each level's rows to as few
/// partitions as it can (<see cref="Ordered"/>). A level's input is rows of bindings of the conjunction's variables
/// (<see cref="JoinRows"/>; the first level's is one row binding nothing); each row goes to the
/// partitions that can hold what the level's conjunct matches under it — the conjunct's bytes with the
/// row's values copied into its holes, routed by their constant prefix — many rows per message
/// (<see cref="JoinProbes"/>), and each partition matches the conjunct under its rows as one match of
/// its own. A level's results are the next level's rows, gathered from its partitions' pages into
/// messages; the last level's carry the match's template (or only count). Nothing is decoded into
/// atoms on the way but a row bound to values with variables in them. Memory holds, per level, the
/// rows gathered for the next and a page from each partition it asked.
/// </summary>
public sealed class PartitionedJoin
{
    private readonly PartitionMap _map;
    private readonly Atom[] _conjuncts;
    private readonly long _limit;
    private readonly MatchBudget _budget;
    private readonly Probe _probe;
    private readonly int _rowsPerMessage;

    // Which partitions hold an atom with a variable (null: any may).
    private readonly IReadOnlyList<bool>? _holdsVariables;

    // Each level as it travels: (VARIABLES CONJUNCT) and its template, encoded as one query.
    private readonly (byte[] Pattern, byte[] Template)[] _queries;

    // The rows the first level starts from: one binding nothing (every variable new), unless given.
    private readonly ReadOnlyMemory<byte> _firstRows;

    // Routing a row: its bindings, then the level's conjunct with them filled in (its distinct
    // variables, its bytes when a row binds none of them, and a plan per set of bound variables).
    private readonly JoinRows _binder;
    private readonly List<string>[] _levelVariables;
    private readonly byte[][] _unbound;
    private readonly Dictionary<ulong, LevelPlan>[] _plans;
    private readonly List<int> _asked = [];
    private byte[] _filled = new byte[256];
    private long _delivered;

    /// <param name="map">The space's partitions.</param>
    /// <param name="conjunction"><c>(, p1 … pn)</c>.</param>
    /// <param name="template">What each solution gives; null to count only.</param>
    /// <param name="limit">The most solutions.</param>
    /// <param name="budget">The most solutions of every level together (intermediate bindings included).</param>
    /// <param name="probe">Matches a level under rows in one partition, as pages.</param>
    /// <param name="holdsVariables">
    /// Which partitions (in key order) held an atom with a variable when the match opened: a row goes
    /// to a partition outside the range its prefix routes it to only for a stored variable (null: any may).
    /// An atom added while the match runs may or may not be in its solutions, as for any match.
    /// </param>
    /// <param name="rowsPerMessage">The most rows one message to a partition carries.</param>
    /// <param name="measured">
    /// Each partition's statistics of the conjunction's patterns (<see cref="AtomSpace.MeasurePatterns"/>),
    /// by which the join is ordered; null (or one partition's null) to order it by routing alone.
    /// </param>
    /// <param name="under">
    /// Null to join from nothing bound; else the rows (encoded <see cref="RowOf"/> expressions, at most
    /// a message's) whose bindings every solution extends: the join's first level starts from them.
    /// </param>
    public PartitionedJoin(PartitionMap map, Atom conjunction, Atom? template, long limit, MatchBudget budget, Probe probe, IReadOnlyList<bool>? holdsVariables = null, int rowsPerMessage = 1024, IReadOnlyList<PatternCounts[]?>? measured = null, ReadOnlyMemory<byte>? under = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(budget);
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowsPerMessage, 1);
        if (!Conjunct.IsConjunction(conjunction) || conjunction is not ExpressionAtom { Count: > 1 } expression)
        {
            throw new ArgumentException("a conjunction is (, p1 … pn) with at least one pattern", nameof(conjunction));
        }

        (_map, _limit, _budget, _probe, _holdsVariables, _rowsPerMessage) = (map, limit, budget, probe, holdsVariables, rowsPerMessage);
        var written = expression.Children[1..].ToArray();
        _conjuncts = measured is { Count: > 0 } && measured.All(counts => counts?.Length == written.Length)
            ? OrderedByStatistics(written, measured!)
            : Ordered(written);
        var variables = RowOf(conjunction);
        _queries = [.. _conjuncts.Select((conjunct, level) => level == _conjuncts.Length - 1 && template is null
            ? (AtomEncoder.Encode(Atom.Expression(variables, conjunct)), [])
            : AtomEncoder.EncodeSharingVariables(Atom.Expression(variables, conjunct), level == _conjuncts.Length - 1 ? template! : variables))];
        _firstRows = under ?? AtomEncoder.Encode(variables);
        _binder = new JoinRows(variables, ReadOnlyMemory<byte>.Empty);
        _levelVariables = [.. _conjuncts.Select(conjunct => Conjunct.VariablesOf(conjunct).Distinct().ToList())];
        _unbound = [.. _conjuncts.Select(AtomEncoder.Encode)];
        _plans = [.. _conjuncts.Select(_ => new Dictionary<ulong, LevelPlan>())];
    }

    /// <summary>
    /// A row of the join of <paramref name="conjunction"/>: its distinct variables in the order they
    /// come, as an expression. A row is this with some variables replaced by their values; a match
    /// whose template is it gives rows.
    /// </summary>
    public static ExpressionAtom RowOf(Atom conjunction) => Atom.Expression([.. Conjunct.VariablesOf(conjunction).Distinct().Select(Atom.Variable)]);

    /// <summary>
    /// Matches a level of the join under rows of bindings in the partition at <paramref name="partition"/>
    /// (key order), at most <paramref name="limit"/> solutions in all: the pages of their results (the
    /// next level's rows, or the match's results, or counts).
    /// </summary>
    public delegate IAsyncEnumerable<JoinPage> Probe(int partition, JoinProbes probes, long limit, CancellationToken cancellationToken);

    /// <summary>The most bytes of rows one message to a partition carries (and at least one row).</summary>
    public const int ProbeMessageBytes = 1 << 20;

    /// <summary>
    /// The most bytes of results a partition's page of answers to probes holds: its buffer, grown by
    /// doubling from 4 KiB, then stays under the large object heap's 85,000 bytes, so the pages passed
    /// from the partitions to the coordinator are collected young instead of by full collections.
    /// </summary>
    public const int ProbePageBytes = 48 << 10;

    /// <summary>Solutions found at every level so far, intermediate bindings included: what the budget bounds.</summary>
    public long Solutions { get; private set; }

    /// <summary>The pages of the conjunction's results (or counts), at most the limit's solutions in all.</summary>
    public IAsyncEnumerable<JoinPage> RunAsync(CancellationToken cancellationToken = default) =>
        _limit == 0 ? AsyncEnumerable.Empty<JoinPage>() : LevelAsync(0, _firstRows, cancellationToken);

    private bool Done => _delivered >= _limit;

    private bool IsLast(int level) => level == _conjuncts.Length - 1;

    private async IAsyncEnumerable<JoinPage> LevelAsync(int level, ReadOnlyMemory<byte> rows, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Each row goes to every partition that can hold what the conjunct matches under it. Pooled
        // buffers (a message's rows reach a megabyte: fresh ones would be garbage of the large object
        // heap, each collected by a full collection); one given back once its match has ended.
        var routed = new EncodedAtomWriter?[_map.Count];
        for (var at = 0; at < rows.Length;)
        {
            var row = rows.Slice(at, EncodedItem.Length(rows.Span[at..]));
            at += row.Length;
            foreach (var partition in PartitionsFor(level, row))
            {
                (routed[partition] ??= WriterPool.Rent()).AppendAtom(row.Span);
            }
        }

        // Every partition's match of its rows is started at once, so the partitions work in parallel
        // while the pages of the one before are joined on — but at the last level under a limit, one
        // after another, each asked for what is left of it.
        var (pattern, template) = _queries[level];
        var gathered = IsLast(level) ? null : WriterPool.Rent();
        var matches = new IAsyncEnumerator<JoinPage>?[routed.Length];
        var firstPages = new Task<bool>?[routed.Length];
        if (!IsLast(level) || _limit == long.MaxValue)
        {
            for (var partition = 0; partition < routed.Length; partition++)
            {
                if (routed[partition] is not null)
                {
                    Start(partition, long.MaxValue);
                }
            }
        }

        try
        {
            for (var partition = 0; partition < routed.Length && !Done; partition++)
            {
                if (routed[partition] is null)
                {
                    continue;
                }

                if (matches[partition] is null)
                {
                    Start(partition, _limit - _delivered);
                }

                var pages = matches[partition]!;
                var more = await firstPages[partition]!.ConfigureAwait(false);
                firstPages[partition] = null;
                for (; more; more = await pages.MoveNextAsync().ConfigureAwait(false))
                {
                    var page = pages.Current;
                    Solutions += page.Solutions;
                    if (Solutions > _budget.MaxSolutions)
                    {
                        throw new MatchBudgetExceededException($"the match found more than {_budget.MaxSolutions:N0} solutions, counting those of each conjunct, the most one match may find");
                    }

                    if (IsLast(level))
                    {
                        _delivered += page.Solutions;
                        yield return page;
                    }
                    else
                    {
                        // The rows are gathered from every partition's pages and go on a message's worth
                        // at a time: many small pages make as few deeper matches as one large one.
                        var results = page.Results;
                        for (var at = 0; at < results.Length && !Done;)
                        {
                            var length = EncodedItem.Length(results.Span[at..]);
                            gathered!.AppendAtom(results.Span.Slice(at, length));
                            at += length;
                            if (gathered.AtomCount == _rowsPerMessage || gathered.Length >= ProbeMessageBytes)
                            {
                                await foreach (var deeper in LevelAsync(level + 1, gathered.WrittenMemory, cancellationToken).ConfigureAwait(false))
                                {
                                    yield return deeper;
                                }

                                gathered.Clear();
                            }
                        }
                    }

                    if (Done)
                    {
                        yield break;
                    }
                }
            }

            if (gathered is { AtomCount: > 0 })
            {
                await foreach (var deeper in LevelAsync(level + 1, gathered.WrittenMemory, cancellationToken).ConfigureAwait(false))
                {
                    yield return deeper;
                }
            }
        }
        finally
        {
            if (gathered is not null)
            {
                WriterPool.Return(gathered);
            }

            // Each match ended (or left early: closed in its partition), its rows' buffer is free.
            for (var partition = 0; partition < routed.Length; partition++)
            {
                if (matches[partition] is { } pages)
                {
                    if (firstPages[partition] is { } first)
                    {
                        try
                        {
                            await first.ConfigureAwait(false);
                        }
                        catch (Exception e) when (e is not OutOfMemoryException)
                        {
                            // Not asked for any more: its failure is not the match's.
                        }
                    }

                    await pages.DisposeAsync().ConfigureAwait(false);
                }

                if (routed[partition] is { } theirs)
                {
                    WriterPool.Return(theirs);
                }
            }
        }

        void Start(int partition, long limit)
        {
            var rowsOf = routed[partition]!;
            var pages = _probe(partition, new JoinProbes(pattern, template, rowsOf.WrittenMemory, rowsOf.AtomCount), limit, cancellationToken).GetAsyncEnumerator(cancellationToken);
            matches[partition] = pages;
            firstPages[partition] = pages.MoveNextAsync().AsTask();
        }
    }

    /// <summary>
    /// The order the conjuncts are joined in: of all orders (or, past <see cref="MaxOrderedConjuncts"/>,
    /// the written one), the first — nearest the written order — that joins the fewest conjuncts with
    /// nothing bound in them (cross products), then the fewest whose rows a partition map cannot route
    /// by prefix: those with a constant or bound value after their first unbound variable
    /// (<c>(parent $gp $p)</c> with <c>$p</c> bound goes to every partition holding <c>parent</c>
    /// facts; <c>(parent $p $x)</c> to one). The order when the partitions' statistics are not at hand.
    /// </summary>
    private static Atom[] Ordered(Atom[] conjuncts)
    {
        return Cheapest(conjuncts, Cost);

        // Cross products first, then scattered levels (there are fewer than 1,000 of either).
        double Cost(int[] order)
        {
            var bound = new HashSet<string>(StringComparer.Ordinal);
            var (cross, scattered) = (0, 0);
            for (var level = 0; level < order.Length; level++)
            {
                var conjunct = conjuncts[order[level]];
                var variables = Conjunct.VariablesOf(conjunct);
                if (level > 0)
                {
                    cross += variables.Any(bound.Contains) || variables.Count == 0 ? 0 : 1;
                    scattered += Routed(conjunct, bound) ? 0 : 1;
                }

                bound.UnionWith(variables);
            }

            return (cross * 1000) + scattered;
        }
    }

    /// <summary>
    /// The order of least estimated work, from the statistics summed over the partitions (N summed;
    /// D(v) summed, at most N: a value in two partitions counts twice). A level costs the rows sent to
    /// it — each row once per partition it goes to: one if the level is routed by what it begins with
    /// (<see cref="Routed"/>), else every partition its unbound conjunct's prefix reaches — plus the
    /// work of matching them, estimated as a space of one partition estimates it (<see cref="JoinPlanner.Order"/>,
    /// with the argument index). Every order is costed up to <see cref="MaxOrderedConjuncts"/>; beyond, the written one.
    /// </summary>
    private Atom[] OrderedByStatistics(Atom[] conjuncts, IReadOnlyList<PatternCounts[]?> measured)
    {
        var planned = new Conjunct[conjuncts.Length];
        var reached = new int[conjuncts.Length];
        for (var i = 0; i < conjuncts.Length; i++)
        {
            var conjunct = planned[i] = new Conjunct(conjuncts[i]);
            var count = measured.Sum(counts => counts![i].Count);
            var distinct = new int[conjunct.Variables.Count];
            foreach (var counts in measured)
            {
                for (var v = 0; v < distinct.Length && v < counts![i].Distinct.Length; v++)
                {
                    distinct[v] = (int)Math.Min(Math.Min(count, int.MaxValue), (long)distinct[v] + counts[i].Distinct[v]);
                }
            }

            conjunct.CopyStatistics(count, distinct);
            _map.PartitionsFor(AtomEncoder.Encode(conjuncts[i]), _asked, _holdsVariables);
            reached[i] = _asked.Count;
        }

        return Cheapest(conjuncts, Cost);

        double Cost(int[] order)
        {
            var bound = new HashSet<string>(StringComparer.Ordinal);
            double rows = 1, cost = 0;
            foreach (var i in order)
            {
                var conjunct = planned[i];
                cost += rows * ((conjunct.Variables.Exists(bound.Contains) && Routed(conjunct.Pattern, bound) ? 1 : reached[i]) + Math.Max(1, conjunct.Count / conjunct.LeadingSelectivity(bound, index: true)));
                rows *= Math.Max(1e-3, conjunct.Count / conjunct.Selectivity(bound));
                bound.UnionWith(conjunct.Variables);
            }

            return cost;
        }
    }

    /// <summary>Of every order of the conjuncts, the first (nearest the written order) of least <paramref name="cost"/>; past <see cref="MaxOrderedConjuncts"/>, the written order.</summary>
    private static Atom[] Cheapest(Atom[] conjuncts, Func<int[], double> cost)
    {
        if (conjuncts.Length > MaxOrderedConjuncts)
        {
            return conjuncts;
        }

        var best = Enumerable.Range(0, conjuncts.Length).ToArray();
        var bestCost = cost(best);
        foreach (var order in Orders(Enumerable.Range(0, conjuncts.Length).ToList()))
        {
            if (cost(order) is var costOf && costOf < bestCost)
            {
                (best, bestCost) = (order, costOf);
            }
        }

        return [.. best.Select(i => conjuncts[i])];
    }

    /// <summary>The most conjuncts whose orders are all tried (8! = 40,320 orders).</summary>
    private const int MaxOrderedConjuncts = 8;

    /// <summary>Every order of <paramref name="items"/>, the identity first, in lexicographic order.</summary>
    private static IEnumerable<int[]> Orders(List<int> items)
    {
        if (items.Count <= 1)
        {
            yield return [.. items];
            yield break;
        }

        for (var i = 0; i < items.Count; i++)
        {
            var rest = new List<int>(items);
            rest.RemoveAt(i);
            foreach (var tail in Orders(rest))
            {
                yield return [items[i], .. tail];
            }
        }
    }

    /// <summary>
    /// Whether the conjunct, with <paramref name="bound"/> variables known, is routed by what it
    /// begins with: no constant or bound value comes after its first unbound variable (in the order of its encoding).
    /// </summary>
    private static bool Routed(Atom conjunct, HashSet<string> bound)
    {
        var open = false;
        var pending = new Stack<Atom>();
        pending.Push(conjunct);
        while (pending.TryPop(out var atom))
        {
            if (atom is ExpressionAtom expression)
            {
                for (var i = expression.Count - 1; i >= 0; i--)
                {
                    pending.Push(expression[i]);
                }
            }
            else if (atom is VariableAtom variable && !bound.Contains(variable.Name))
            {
                open = true;
            }
            else if (open)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The partitions (indexes in key order) that can hold what <paramref name="level"/>'s conjunct matches under <paramref name="row"/>'s bindings; none if the row binds nothing it can.</summary>
    private List<int> PartitionsFor(int level, ReadOnlyMemory<byte> row)
    {
        _asked.Clear();
        var variables = _levelVariables[level];
        ReadOnlySpan<byte> pattern;
        if (_binder.TryValues(row, out var values))
        {
            pattern = Filled(level, values, LevelPlan.BoundMask(variables, values)!.Value);
        }
        else if (_binder.Bind(row) is not { } bindings)
        {
            return _asked;
        }
        else if (LevelPlan.BoundMask(variables, bindings) is { } bound)
        {
            pattern = Filled(level, bindings, bound);
        }
        else
        {
            // A value with variables in it (bound by unification): the conjunct is instantiated as an atom.
            pattern = AtomEncoder.Encode(bindings.Apply(_conjuncts[level]));
        }

        _map.PartitionsFor(pattern, _asked, _holdsVariables);
        return _asked;
    }

    /// <summary><paramref name="level"/>'s conjunct encoded with the <paramref name="bound"/> variables' values (all encoded) filled in.</summary>
    private ReadOnlySpan<byte> Filled<T>(int level, T bindings, ulong bound)
        where T : IEncodedBindings
    {
        if (bound == 0)
        {
            return _unbound[level];
        }

        if (!_plans[level].TryGetValue(bound, out var plan))
        {
            _plans[level][bound] = plan = LevelPlan.Make(_conjuncts[level], _levelVariables[level], bound, index: false);
        }

        return _filled.AsSpan(0, plan.FillInto(bindings, ref _filled));
    }
}
