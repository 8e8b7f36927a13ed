using System.Runtime.CompilerServices;
using OrleansKb.Atoms;
using OrleansKb.Codec;

namespace OrleansKb.Spaces;

/// <summary>
/// A conjunction matched over a divided space (docs/cluster.md, "Partitioned spaces"), by a
/// coordinator close to the data: a batched index nested-loop join. The conjuncts are joined in the
/// order written. The first is matched in the partitions it can match in, its solutions written as
/// bindings of the conjunction's variables; a page of bindings at a time, each binding is substituted
/// into the next conjunct, and the probes — each a pattern with the bindings as its template — go to
/// the partitions their constant prefixes route them to, many per message (<see cref="Probe"/>). The
/// last conjunct's probes carry the match's template (or only count). Memory holds one page per level.
/// </summary>
public sealed class PartitionedJoin
{
    private readonly PartitionMap _map;
    private readonly Atom[] _conjuncts;
    private readonly Atom _bindings;
    private readonly Atom? _template;
    private readonly long _limit;
    private readonly MatchBudget _budget;
    private readonly Probe _probe;
    private readonly int _probesPerMessage;
    private long _delivered;
    private int _stamp;

    /// <param name="map">The space's partitions.</param>
    /// <param name="conjunction"><c>(, p1 … pn)</c>.</param>
    /// <param name="template">What each solution gives; null to count only.</param>
    /// <param name="limit">The most solutions.</param>
    /// <param name="budget">The most solutions of every level together (intermediate bindings included).</param>
    /// <param name="probe">Matches probes in one partition, as pages.</param>
    /// <param name="probesPerMessage">The most probes one message to a partition carries.</param>
    public PartitionedJoin(PartitionMap map, Atom conjunction, Atom? template, long limit, MatchBudget budget, Probe probe, int probesPerMessage = 1024)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(budget);
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ArgumentOutOfRangeException.ThrowIfLessThan(probesPerMessage, 1);
        if (!Conjunct.IsConjunction(conjunction) || conjunction is not ExpressionAtom { Count: > 1 } expression)
        {
            throw new ArgumentException("a conjunction is (, p1 … pn) with at least one pattern", nameof(conjunction));
        }

        (_map, _template, _limit, _budget, _probe, _probesPerMessage) = (map, template, limit, budget, probe, probesPerMessage);
        _conjuncts = [.. expression.Children[1..].ToArray()];
        _bindings = Atom.Expression([.. Conjunct.VariablesOf(conjunction).Distinct().Select(Atom.Variable)]);
    }

    /// <summary>
    /// Matches <paramref name="probes"/> — encoded atoms <c>(PATTERN TEMPLATE)</c>, or <c>(PATTERN)</c>
    /// to count, as <see cref="MatchSessions.OpenEach(ReadOnlySpan{byte}, long, int)"/> takes them — in
    /// the partition at <paramref name="partition"/> (key order), <paramref name="count"/> of them, at
    /// most <paramref name="limit"/> solutions in all: the pages of their results (or counts).
    /// </summary>
    public delegate IAsyncEnumerable<JoinPage> Probe(int partition, ReadOnlyMemory<byte> probes, int count, long limit, CancellationToken cancellationToken);

    /// <summary>The most bytes of probes one message to a partition carries (and at least one probe).</summary>
    public const int ProbeMessageBytes = 1 << 20;

    /// <summary>Solutions found at every level so far, intermediate bindings included: what the budget bounds.</summary>
    public long Solutions { get; private set; }

    /// <summary>The pages of the conjunction's results (or counts), at most the limit's solutions in all.</summary>
    public IAsyncEnumerable<JoinPage> RunAsync(CancellationToken cancellationToken = default) =>
        _limit == 0 ? AsyncEnumerable.Empty<JoinPage>() : LevelAsync(0, FirstProbe(), cancellationToken);

    private bool Done => _delivered >= _limit;

    private bool IsLast(int level) => level == _conjuncts.Length - 1;

    private Atom? TemplateOf(int level) => IsLast(level) ? _template : _bindings;

    private async IAsyncEnumerable<JoinPage> LevelAsync(int level, EncodedAtomWriter probes, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Each probe goes to every partition that can hold what its pattern (its first child) matches.
        // Pooled buffers (a message's probes are up to a megabyte: fresh ones would be garbage of the
        // large object heap, each collected by a full collection); one given back once it has been read.
        var routed = new EncodedAtomWriter?[_map.Count];
        foreach (var probe in new EncodedItems(probes.WrittenSpan))
        {
            var pattern = probe[1..(1 + EncodedItem.Length(probe[1..]))];
            foreach (var partition in _map.PartitionsFor(pattern))
            {
                (routed[partition] ??= WriterPool.Rent()).AppendAtom(probe);
            }
        }

        WriterPool.Return(probes);
        for (var partition = 0; partition < routed.Length && !Done; partition++)
        {
            if (routed[partition] is not { } theirs)
            {
                continue;
            }

            var limit = IsLast(level) ? _limit - _delivered : long.MaxValue;
            await foreach (var page in _probe(partition, theirs.WrittenMemory, theirs.AtomCount, limit, cancellationToken).ConfigureAwait(false))
            {
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
                    foreach (var next in NextProbes(level + 1, page.Results))
                    {
                        await foreach (var deeper in LevelAsync(level + 1, next, cancellationToken).ConfigureAwait(false))
                        {
                            yield return deeper;
                        }

                        if (Done)
                        {
                            break;
                        }
                    }
                }

                if (Done)
                {
                    yield break;
                }
            }

            // The partition has read its probes (when the match opened): the buffer is free.
            WriterPool.Return(theirs);
            routed[partition] = null;
        }
    }

    /// <summary>
    /// The probes of <paramref name="level"/>'s conjunct for a page of bindings, encoded, in messages of
    /// at most <see cref="_probesPerMessage"/> probes and about <see cref="ProbeMessageBytes"/>.
    /// </summary>
    private IEnumerable<EncodedAtomWriter> NextProbes(int level, ReadOnlyMemory<byte> bindings)
    {
        var probes = WriterPool.Rent();
        for (var at = 0; at < bindings.Length;)
        {
            var length = AtomDecoder.Measure(bindings.Span[at..]);

            // The binding's own variables (a stored atom's, left unbound) are renamed apart from the
            // conjuncts' — and from the names a partition's matcher renames stored atoms apart with (#N).
            var binding = AtomDecoder.DecodeApart(bindings.Span.Slice(at, length), $"#j{++_stamp}");
            at += length;
            if (Substitution.Empty.Unify(_bindings, binding) is not { } bound)
            {
                continue;
            }

            AtomEncoder.Append(ProbeOf(bound.Apply(_conjuncts[level]), TemplateOf(level) is { } template ? bound.Apply(template) : null), probes);
            if (probes.AtomCount == _probesPerMessage || probes.Length >= ProbeMessageBytes)
            {
                yield return probes;
                probes = WriterPool.Rent();
            }
        }

        if (probes.AtomCount > 0)
        {
            yield return probes;
        }
        else
        {
            WriterPool.Return(probes);
        }
    }

    /// <summary>The one probe of the first conjunct, as it stands.</summary>
    private EncodedAtomWriter FirstProbe()
    {
        var probe = WriterPool.Rent();
        AtomEncoder.Append(ProbeOf(_conjuncts[0], TemplateOf(0)), probe);
        return probe;
    }

    /// <summary>A probe as it travels: <c>(PATTERN TEMPLATE)</c>, or <c>(PATTERN)</c> to count only; encoding it numbers the two's variables as one.</summary>
    private static ExpressionAtom ProbeOf(Atom pattern, Atom? template) => template is null ? Atom.Expression(pattern) : Atom.Expression(pattern, template);
}
