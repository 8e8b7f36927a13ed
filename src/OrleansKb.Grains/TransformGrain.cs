using System.Diagnostics;
using Orleans.Placement;
using OrleansKb.Atoms;
using OrleansKb.Client;
using OrleansKb.Codec;
using OrleansKb.Spaces;

namespace OrleansKb.Grains;

/// <summary>
/// The coordinator of one transform (<see cref="ITransformGrain"/>, docs/transform.md), on the silo the
/// client talks to: it reads the pattern's solutions as any match in the cluster is read (one space,
/// or the join over its partitions), instantiated by the templates as encoded pages, and writes their
/// atoms to the target as any write is sent (routed to its partitions, each part acknowledged once
/// durable), copied as the bytes they are. A slice at a time as its client asks; the results never
/// leave the cluster.
/// </summary>
[PreferLocalPlacement]
[CollectionAgeLimit(Minutes = 2)]
internal sealed class TransformGrain : Grain, ITransformGrain
{
    // The atoms one write carries (a write waits until its atoms are durable; one is on its way while
    // the next page of results is read).
    private const int WriteBytes = 1 << 20;

    // About how long a slice runs before it reports.
    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(1);

    // The added atoms are matched in this grain, in pages of rows well under a join message's megabyte.
    private const int AddedPageBytes = 256 << 10;

    private static readonly MatchSessionLimits AddedLimits = new(MatchBudget.Unlimited, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10), 4, SpaceLimits.MaxAtomBytes);

    private TransformTemplates _templates = null!;
    private Atom _pattern = null!;
    private KbSpace _source = null!;
    private KbSpace _target = null!;
    private long _limit;
    private int _maxRounds;
    private int _rounds;
    private long _addedBeforeRound;
    private string? _stopped;

    // A fixpoint without removals is evaluated semi-naively: each round after the first joins only the
    // atoms the round before added (kept here, in this grain's memory) with the space; the atoms a
    // round adds are found by asking the space which of its batch it lacks.
    private bool _semiNaive;
    private AtomSpace _fresh = new();
    private IAsyncEnumerator<MatchPage>? _pages;
    private EncodedAtomWriter _adds = null!;
    private EncodedAtomWriter _removes = null!;
    private Task _writing = Task.CompletedTask;

    // Buffers whose write is durable, cleared for the next (a megabyte each: allocated anew, every one
    // would be a large object for a full collection to free).
    private readonly Stack<EncodedAtomWriter> _spare = new();

    // When the templates could change what the pattern matches in the same space, the round's changes
    // wait here until its match has ended: it sees the space as it was when the transform started.
    private bool _held;
    private readonly Queue<(EncodedAtomWriter Adds, EncodedAtomWriter Removes)> _heldWrites = new();

    private long _solutions;
    private long _added;
    private long _removed;
    private bool _finished;

    public async Task<TransformProgress> Open(string space, string into, bool ephemeral, MatchQuery query, long limit, int maxRounds, bool naive)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRounds, 1);
        if (maxRounds > 1 && into != space)
        {
            throw new InvalidAtomBatchException("a transform to a fixpoint adds to the space it matches in: leave out --into");
        }

        if (_pages is not null || _finished)
        {
            throw new InvalidAtomBatchException("this transform was opened already: each transform has a coordinator of its own");
        }

        try
        {
            (_pattern, var template) = AtomDecoder.DecodeQuery(query.Pattern.Span, query.Template.Span);
            _templates = TransformTemplates.Parse(_pattern, template ?? throw new ArgumentException("a transform needs a template"));
        }
        catch (Exception e) when (e is MalformedEncodingException or ArgumentException)
        {
            throw new InvalidAtomBatchException(e.Message);
        }

        _source = KbSpace.Of(GrainFactory, space, ephemeral);
        _target = into == space ? _source : KbSpace.Of(GrainFactory, into, ephemeral);
        _held = into == space && _templates.MayMatchPattern;
        (_limit, _maxRounds) = (limit, maxRounds);
        _semiNaive = maxRounds > 1 && !naive && _held && _templates.Removes.Count == 0;
        (_adds, _removes) = (Writer(_templates.Adds.Count), Writer(_templates.Removes.Count));
        StartRound();
        return await Next();
    }

    public async Task<TransformProgress> Next()
    {
        var started = Stopwatch.GetTimestamp();
        while (!_finished && Stopwatch.GetElapsedTime(started) < Slice)
        {
            if (_pages is { } pages)
            {
                if (await pages.MoveNextAsync())
                {
                    _solutions += pages.Current.Solutions;
                    _templates.SplitEncoded(pages.Current.Results.Bytes.Span, _adds, _removes);
                    if (_adds.Length + _removes.Length >= WriteBytes)
                    {
                        await Written();
                    }
                }
                else
                {
                    _pages = null;
                    await pages.DisposeAsync();
                    await Written();
                }
            }
            else if (_heldWrites.TryDequeue(out var held))
            {
                await WriteAsync(held.Adds, held.Removes);
            }
            else
            {
                // The round's changes are durable: another round, if it added something and the
                // transform goes to a fixpoint, else the end.
                await _writing;
                var more = _maxRounds > 1 && _templates.MayMatchPattern && _added > _addedBeforeRound;
                if (more && _rounds < _maxRounds)
                {
                    StartRound();
                    continue;
                }

                if (more)
                {
                    _stopped = $"the fixpoint was not reached in {_maxRounds:N0} rounds, the most this transform may run (its last round added {_added - _addedBeforeRound:N0}); what was added stays";
                }

                _finished = true;
                DeactivateOnIdle();
            }
        }

        return Progress();
    }

    /// <summary>
    /// A round: the pattern matched in the space as it is now — wholly (the first round, or every round
    /// when naive), or semi-naively only the solutions that use an atom the round before added.
    /// </summary>
    private void StartRound()
    {
        _rounds++;
        _addedBeforeRound = _added;
        if (_rounds == 1 || !_semiNaive)
        {
            _pages = _source.TransformPagesAsync(_pattern, _templates.Combined, _limit, CancellationToken.None).GetAsyncEnumerator();
            return;
        }

        var added = _fresh;
        _fresh = new AtomSpace();
        _pages = SolutionsUsingAsync(added).GetAsyncEnumerator();
    }

    /// <summary>
    /// The solutions of the pattern in which some conjunct an addition can feed is matched by one of
    /// the <paramref name="added"/> atoms (the others by any atom of the space, those included): for
    /// each such conjunct, its matches among the added atoms, as rows of the pattern's bindings, then
    /// the pattern joined in the space under them. A solution using several added atoms comes more
    /// than once; adding it again changes nothing.
    /// </summary>
    private async IAsyncEnumerable<MatchPage> SolutionsUsingAsync(AtomSpace added)
    {
        var local = new MatchSessions("added", added, AddedLimits);
        var row = PartitionedJoin.RowOf(_pattern);
        foreach (var fed in _templates.Fed)
        {
            if (!_templates.IsConjunction)
            {
                // One pattern: its solutions among the added atoms are the round's.
                foreach (var page in Pages(local, _pattern, _templates.Combined))
                {
                    yield return new MatchPage(MatchId.None, new AtomBatch(page.Results, page.ResultCount), page.Solutions);
                }

                continue;
            }

            foreach (var rows in Pages(local, _templates.Conjuncts[fed], row))
            {
                if (rows.ResultCount == 0)
                {
                    continue;
                }

                // Each page of a match has a buffer of its own: the rows are passed as they are.
                await foreach (var page in _source.JoinPagesUnderAsync(_pattern, _templates.Combined, new AtomBatch(rows.Results, rows.ResultCount), CancellationToken.None))
                {
                    yield return page;
                }
            }
        }

        static IEnumerable<MatchSessionPage> Pages(MatchSessions sessions, Atom pattern, Atom template)
        {
            for (var page = sessions.Open(pattern, template, long.MaxValue, AddedPageBytes); ; page = sessions.Next(page.Id))
            {
                yield return page;
                if (page.Id == 0)
                {
                    yield break;
                }
            }
        }
    }

    public async Task<TransformProgress> Close()
    {
        var finished = _finished;
        if (_pages is { } pages)
        {
            _pages = null;
            await pages.DisposeAsync();
        }

        // The solutions counted so far have their atoms written, unless the round holds its changes
        // until its match ends (then none of them is).
        if (!_held && _templates is not null)
        {
            await Written();
        }

        await _writing;
        _finished = true;
        DeactivateOnIdle();
        return Progress() with { Finished = finished };
    }

    private TransformProgress Progress() => new(_solutions, _added, _removed, _rounds, _finished, _stopped);

    /// <summary>A buffer for a write's atoms of <paramref name="templates"/> templates: a spare one, a new one, or a small one for none.</summary>
    private EncodedAtomWriter Writer(int templates) =>
        templates == 0 ? new(16) : _spare.TryPop(out var spare) ? spare : new(WriteBytes + (64 << 10));

    /// <summary>The atoms gathered so far are written (or held), and gathering goes on in new buffers.</summary>
    private async Task Written()
    {
        var (adds, removes) = (_adds, _removes);
        (_adds, _removes) = (Writer(_templates.Adds.Count), Writer(_templates.Removes.Count));
        if (_held)
        {
            _heldWrites.Enqueue((adds, removes));
        }
        else
        {
            await WriteAsync(adds, removes);
        }
    }

    /// <summary>Starts a write once the one before it is durable: the removes, then the adds, each sorted meanwhile.</summary>
    private async Task WriteAsync(EncodedAtomWriter adds, EncodedAtomWriter removes)
    {
        // Derived atoms come in the order of the solutions, scattered over the target's keys (a copy
        // (parent $a $b) → (child $b $a) comes ordered by $a, not $b): sorted here, in this grain's
        // turn while the write before is applied, they go into the target's trie key after key.
        adds.SortBytes();
        removes.SortBytes();
        await _writing;
        _writing = Write();

        async Task Write()
        {
            if (removes.AtomCount > 0)
            {
                _removed += await _target.RemoveEncodedAsync(new AtomBatch(removes.WrittenMemory, removes.AtomCount), CancellationToken.None);
            }

            if (adds.AtomCount > 0 && _semiNaive)
            {
                // What the space did not hold is what this round adds: the next round joins it.
                var added = await _target.AddEncodedReportingNewAsync(new AtomBatch(adds.WrittenMemory, adds.AtomCount), CancellationToken.None);
                _added += added.AtomCount;
                _fresh.AddEncoded(added.WrittenSpan);
            }
            else if (adds.AtomCount > 0)
            {
                _added += await _target.AddEncodedAsync(new AtomBatch(adds.WrittenMemory, adds.AtomCount), CancellationToken.None);
            }

            foreach (var written in new[] { adds, removes }.Where(w => w.Capacity > WriteBytes))
            {
                written.Clear();
                _spare.Push(written);
            }
        }
    }
}
