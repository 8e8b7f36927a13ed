using System.Runtime.CompilerServices;
using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Spaces;
using OrleansKb.Text;

namespace OrleansKb.Client;

/// <summary>
/// A handle on one space of the cluster. Bulk adds encode on this process's cores, in parallel
/// (the same <c>ParallelEncoder</c> the in-process <see cref="Spaces.AtomSpace"/> uses), and send
/// one message per batch with several batches in flight; the grain's turn only validates and inserts.
/// Every call is bounded in bytes both ways: what can be large is sent in batches and read in pages.
/// </summary>
public sealed class KbSpace
{
    private readonly SpaceRouting _routing;
    private readonly SpaceLoads _loads;
    private readonly SpaceMatches _matches;
    private readonly SpaceCalls _calls;
    private readonly Func<ITransformGrain> _newTransform;
    private readonly bool _ephemeral;

    private KbSpace(IGrainFactory grains, Func<string, IEnvironmentGrain> grainOf, string name, bool ephemeral, ConnectionWatch? connection)
    {
        Name = name;
        _ephemeral = ephemeral;
        _newTransform = () => grains.GetGrain<ITransformGrain>(Guid.NewGuid());
        var calls = _calls = new SpaceCalls(grainOf(name), name, connection);
        _routing = new SpaceRouting(calls, name, grainOf);
        _loads = new SpaceLoads(calls, _routing, name);
        _matches = new SpaceMatches(calls, _routing, () => grains.GetGrain<IJoinGrain>(Guid.NewGuid()));
    }

    /// <summary>The space named <paramref name="name"/> through any Orleans client or silo (created on first use).</summary>
    public static KbSpace Of(IGrainFactory grains, string name) => Of(grains, name, ephemeral: false, connection: null);

    /// <summary>
    /// The space named <paramref name="name"/>: durable, in the silo's store — or, with
    /// <paramref name="ephemeral"/>, kept in the silo's memory only (a space of its own: the ephemeral
    /// and the durable space of one name are two spaces).
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a space name (<see cref="SpaceNames.Problem"/>).</exception>
    public static KbSpace Of(IGrainFactory grains, string name, bool ephemeral) => Of(grains, name, ephemeral, connection: null);

    internal static KbSpace Of(IGrainFactory grains, string name, bool ephemeral, ConnectionWatch? connection)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(name);
        if (SpaceNames.Problem(name) is { } problem)
        {
            throw new ArgumentException(problem, nameof(name));
        }

        Func<string, IEnvironmentGrain> grainOf = ephemeral ? key => grains.GetGrain<IEphemeralEnvironmentGrain>(key) : key => grains.GetGrain<IEnvironmentGrain>(key);
        return new KbSpace(grains, grainOf, name, ephemeral, connection);
    }

    /// <summary>The space's name.</summary>
    public string Name { get; }

    /// <summary>The number of atoms in the space.</summary>
    public Task<long> CountAsync(CancellationToken cancellationToken = default) => _routing.CountAsync(cancellationToken);

    /// <summary>The space's size, its store, the silo hosting it, the matches open on it, and its partitions (<see cref="SpaceInfo.Partitions"/>).</summary>
    public Task<SpaceInfo> InfoAsync(CancellationToken cancellationToken = default) =>
        _routing.ReadAsync(async routes => SpaceInfos.Combined(Name, routes.Map, await _routing.OnEveryPartitionAsync(routes, grain => grain.Info(), cancellationToken).ConfigureAwait(false)), cancellationToken);

    /// <summary>Unloads the space from the silos' memory once idle; its next call recovers it from its store (<see cref="SpaceInfo.RecoveryMs"/> says how long that took).</summary>
    public Task UnloadAsync(CancellationToken cancellationToken = default) => _routing.OnEveryPartitionAsync(grain => grain.Unload(), cancellationToken);

    /// <summary>Takes a snapshot of the space now (of each of its partitions), and returns its info once the snapshots are published.</summary>
    public Task<SpaceInfo> SnapshotAsync(CancellationToken cancellationToken = default) =>
        _routing.ReadAsync(async routes => SpaceInfos.Combined(Name, routes.Map, await _routing.OnEveryPartitionAsync(routes, grain => grain.Snapshot(), cancellationToken).ConfigureAwait(false)), cancellationToken);

    /// <summary>
    /// Loads a file or a stream (<see cref="LoadSource"/>) of <c>.metta</c> text or MORK <c>.paths</c> data.
    /// The whole input is checked first — syntax (a <see cref="MettaSyntaxException"/> names file, line
    /// and column), each <c>.paths</c> record (an <see cref="InvalidDataException"/> names the record),
    /// the size of every atom — so input with an error adds nothing. Then it is read straight to
    /// encoded batches (text in parallel segments, <see cref="FileSegments"/>) that are sent as they
    /// come, several in flight.
    /// <para>
    /// A load that stops after sending — cancelled, the cluster lost, or the file changed while it
    /// was read (<see cref="InputChangedException"/>) — throws a <see cref="LoadInterruptedException"/>
    /// that says how many atoms were acknowledged; loading the same input again is safe.
    /// </para>
    /// </summary>
    public Task<LoadResult> LoadAsync(LoadSource source, LoadOptions? options = null, IProgress<LoadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return _loads.LoadAsync(source, options ?? LoadOptions.Default, progress, cancellationToken);
    }

    /// <summary>
    /// Divides this space, if it is empty and was never divided, into at most <paramref name="partitions"/>
    /// partitions (docs/cluster.md, "Partitioned spaces"), cut at the quantiles of the keys of
    /// <paramref name="sample"/> — atoms like those to be stored (all of them, or a uniform sample);
    /// a space already divided keeps its partitions. Returns how many partitions the space then has.
    /// (<see cref="LoadOptions.Partitions"/> does this from the atoms a load checks.)
    /// </summary>
    /// <exception cref="InvalidAtomBatchException">The space holds atoms.</exception>
    public async Task<int> DivideAsync(IEnumerable<Atom> sample, int partitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partitions, LoadOptions.MaxPartitions);
        var keys = new KeySample();
        foreach (var atom in sample)
        {
            keys.Offer(EncodedBatches.One(atom));
        }

        return (await _routing.DivideAsync(keys.Keys, partitions, cancellationToken).ConfigureAwait(false)).Map.Count;
    }

    /// <summary>
    /// Divides this space anew into <paramref name="partitions"/> partitions of about equal size, cut at
    /// the quantiles of a sample of its keys: every partition's atoms are copied, inside the cluster, to
    /// new partitions, and the space's map then changes at once (docs/cluster.md, "Changing the
    /// partitions"). Reads are answered throughout; a change sent meanwhile is applied, or waits and is
    /// sent again. Returns how many partitions the space has then, the atoms copied and how long it took.
    /// </summary>
    /// <exception cref="InvalidAtomBatchException">The space is empty.</exception>
    public async Task<RepartitionReport> RepartitionAsync(int partitions, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partitions, LoadOptions.MaxPartitions);
        var result = await _routing.RepartitionAsync(partitions, cancellationToken).ConfigureAwait(false);
        return new RepartitionReport(Name, result.Map.Ids.Length, result.Map.Epoch, result.AtomsMoved, result.ElapsedMs);
    }

    /// <summary>Adds atoms; returns how many were new.</summary>
    public Task<long> AddFactsAsync(IEnumerable<Atom> atoms, LoadOptions? options = null, IProgress<LoadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        _loads.AddAsync(EncodedBatches.Chunks(atoms), rules: false, options ?? LoadOptions.Default, progress, cancellationToken);

    /// <summary>Adds atoms as they arrive; returns how many were new.</summary>
    public Task<long> AddFactsAsync(IAsyncEnumerable<Atom> atoms, LoadOptions? options = null, IProgress<LoadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        _loads.AddAsync(EncodedBatches.Chunks(atoms, cancellationToken), rules: false, options ?? LoadOptions.Default, progress, cancellationToken);

    /// <summary>Adds rules <c>(= lhs rhs)</c>, in order; returns how many were new.</summary>
    public Task<long> AddRulesAsync(IEnumerable<Atom> rules, LoadOptions? options = null, IProgress<LoadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        _loads.AddAsync(EncodedBatches.Chunks(rules), rules: true, options ?? LoadOptions.Default, progress, cancellationToken);

    /// <summary>Adds rules as they arrive, in order; returns how many were new.</summary>
    public Task<long> AddRulesAsync(IAsyncEnumerable<Atom> rules, LoadOptions? options = null, IProgress<LoadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        _loads.AddAsync(EncodedBatches.Chunks(rules, cancellationToken), rules: true, options ?? LoadOptions.Default, progress, cancellationToken);

    /// <summary>Removes atoms (or ones alpha-equivalent to them); returns how many were present. Sent in batches; an atom over the size limit is refused before any is sent.</summary>
    public async Task<long> RemoveAsync(IEnumerable<Atom> atoms, CancellationToken cancellationToken = default)
    {
        long removed = 0;
        foreach (var batch in EncodedBatches.Of(atoms))
        {
            removed += await _routing.SendAsync(batch, (grain, part) => grain.Remove(part), cancellationToken).ConfigureAwait(false);
        }

        return removed;
    }

    /// <summary>
    /// Removes the atoms of .metta text read from a stream (a request body, standard input); returns
    /// how many were present. As for a load, the text is copied to a temporary file and checked whole
    /// first, so input with an error (named as <paramref name="sourceName"/>) removes nothing; then its
    /// atoms are sent in batches as they are read again: the input is never held in memory, however large.
    /// </summary>
    public Task<long> RemoveStreamAsync(Stream input, string sourceName, CancellationToken cancellationToken = default) =>
        _loads.RemoveTextAsync(input, sourceName, cancellationToken);

    /// <summary>True if the space holds the atom (or one alpha-equivalent to it).</summary>
    public Task<bool> ContainsAsync(Atom atom, CancellationToken cancellationToken = default)
    {
        var key = EncodedBatches.One(atom);
        return _routing.ReadAsync(
            async routes => (await _routing.Call(routes, routes.Map.IndexOf(key), grain => grain.Contains(new AtomBatch(key, 1)), cancellationToken).ConfigureAwait(false))[0],
            cancellationToken);
    }

    /// <summary>Removes every atom (the space stays divided as it was).</summary>
    public Task ClearAsync(CancellationToken cancellationToken = default) => _routing.OnEveryPartitionAsync(grain => grain.Clear(), cancellationToken);

    /// <summary>
    /// <c>match</c>: <paramref name="template"/> instantiated by each solution of <paramref name="pattern"/>
    /// (two-way unification; <c>(, p1 … pn)</c> is a conjunction), at most <paramref name="limit"/>.
    /// Solutions are found a page at a time as this enumeration asks for them; stopping early (or
    /// cancelling) closes the match in the space. Variables left unbound in a result are named
    /// <c>$x0</c>, <c>$x1</c>, …. A match the space stops (its budget exceeded) throws <see cref="MatchFailedException"/>.
    /// </summary>
    public async IAsyncEnumerable<Atom> MatchAsync(Atom pattern, Atom template, long limit = long.MaxValue, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(template);
        await foreach (var page in _matches.PagesAsync(pattern, template, limit, cancellationToken).ConfigureAwait(false))
        {
            foreach (var atom in AtomDecoder.DecodeAll(page.Results.Bytes.Span))
            {
                yield return atom;
            }
        }
    }

    /// <summary>The number of solutions of <paramref name="pattern"/>, counting at most <paramref name="limit"/>; counted in the space, a slice at a time, with nothing sent but numbers.</summary>
    public async Task<long> MatchCountAsync(Atom pattern, long limit = long.MaxValue, CancellationToken cancellationToken = default)
    {
        long count = 0;
        await foreach (var page in _matches.PagesAsync(pattern, template: null, limit, cancellationToken).ConfigureAwait(false))
        {
            count += page.Solutions;
        }

        return count;
    }

    /// <summary>The most rounds a transform to a fixpoint runs unless told otherwise.</summary>
    public const int DefaultMaxRounds = 100;

    /// <summary>The pages of a transform's match, its encoded results (a transform's coordinator reads them as they are), within the silo's transform budget.</summary>
    internal IAsyncEnumerable<MatchPage> TransformPagesAsync(Atom pattern, Atom template, long limit, CancellationToken cancellationToken) =>
        _matches.PagesAsync(pattern, template, limit, cancellationToken, forTransform: true);

    /// <summary>The pages of the join of <paramref name="conjunction"/> under rows of bindings (<see cref="IJoinGrain.OpenUnder"/>).</summary>
    internal IAsyncEnumerable<MatchPage> JoinPagesUnderAsync(Atom conjunction, Atom template, AtomBatch rows, CancellationToken cancellationToken) =>
        _matches.PagesUnderAsync(conjunction, template, rows, cancellationToken);

    /// <summary>Adds a batch of well-formed encoded atoms, routed to the partitions; returns those that were new.</summary>
    internal async Task<EncodedAtomWriter> AddEncodedReportingNewAsync(AtomBatch batch, CancellationToken cancellationToken)
    {
        var added = new EncodedAtomWriter(Math.Max(4096, batch.Bytes.Length));
        await _routing.SendAsync(
            batch,
            async (grain, part) =>
            {
                var fresh = await grain.AddFactsReportingNew(part).ConfigureAwait(false);
                lock (added)
                {
                    foreach (var atom in new EncodedItems(fresh.Bytes.Span))
                    {
                        added.AppendAtom(atom);
                    }
                }

                return fresh.Count;
            },
            cancellationToken).ConfigureAwait(false);
        return added;
    }

    /// <summary>Adds a batch of well-formed encoded atoms, routed to the partitions; returns how many were new.</summary>
    internal Task<int> AddEncodedAsync(AtomBatch batch, CancellationToken cancellationToken) =>
        _routing.SendAsync(batch, (grain, part) => grain.AddFacts(part), cancellationToken);

    /// <summary>Removes a batch of well-formed encoded atoms, routed to the partitions; returns how many were there.</summary>
    internal Task<int> RemoveEncodedAsync(AtomBatch batch, CancellationToken cancellationToken) =>
        _routing.SendAsync(batch, (grain, part) => grain.Remove(part), cancellationToken);

    /// <summary>
    /// Derives atoms inside the cluster (docs/transform.md): for each solution of
    /// <paramref name="pattern"/> (an atom or a conjunction), at most <paramref name="limit"/>, each
    /// template of <paramref name="template"/> (an atom or <c>(, t1 … tm)</c>; <c>(- t)</c> removes
    /// <c>t</c>) instantiated is added to the space <paramref name="into"/> (this one when null;
    /// created if missing). Runs in a silo a slice at a time, reporting <paramref name="progress"/>;
    /// cancelled, it stops there and returns what was done (not finished): what it reports added is durable.
    /// With <paramref name="fixpoint"/>, rounds are repeated until one adds nothing new, in this space,
    /// at most <paramref name="maxRounds"/> (then <see cref="TransformProgress.Stopped"/> says so):
    /// semi-naively, each round joining only what the round before added with the space — or, with
    /// <paramref name="naive"/> (to compare), each matching every solution again.
    /// </summary>
    /// <exception cref="ArgumentException">A template has a variable the pattern does not bind, or <paramref name="into"/> is not a space name.</exception>
    public async Task<TransformProgress> TransformAsync(
        Atom pattern,
        Atom template,
        string? into = null,
        long limit = long.MaxValue,
        bool fixpoint = false,
        int maxRounds = DefaultMaxRounds,
        IProgress<TransformProgress>? progress = null,
        bool naive = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(template);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRounds, 1);
        if (into is not null && SpaceNames.Problem(into) is { } problem)
        {
            throw new ArgumentException(problem, nameof(into));
        }

        if (fixpoint && into is not null && into != Name)
        {
            throw new ArgumentException("a transform to a fixpoint adds to the space it matches in: leave out the target space", nameof(into));
        }

        _ = TransformTemplates.Parse(pattern, template);
        var (encodedPattern, encodedTemplate) = AtomEncoder.EncodeSharingVariables(pattern, template, SpaceLimits.MaxAtomBytes);
        var transform = _newTransform();
        var done = await _calls.Call(transform.Open(Name, into ?? Name, _ephemeral, new MatchQuery(encodedPattern, encodedTemplate), limit, fixpoint ? maxRounds : 1, naive), cancellationToken).ConfigureAwait(false);
        while (!done.Finished)
        {
            progress?.Report(done);
            if (cancellationToken.IsCancellationRequested)
            {
                return await _calls.Call(transform.Close(), CancellationToken.None).ConfigureAwait(false);
            }

            done = await _calls.Call(transform.Next(), CancellationToken.None).ConfigureAwait(false);
        }

        return done;
    }

    /// <summary>Every atom of the space in key order, a page at a time.</summary>
    public IAsyncEnumerable<Atom> ExportAsync(CancellationToken cancellationToken = default) =>
        ExportedAsync(bytes => (AtomDecoder.DecodeNext(bytes.Span, out var length), length), cancellationToken);

    /// <summary>
    /// The space's atoms in key order, a page at a time, each taken from its page by <paramref name="read"/>
    /// (which validates it and says its length): the next page is asked for after the last atom of this
    /// one, from the partition that holds it, then from the next partitions in key order.
    /// </summary>
    private async IAsyncEnumerable<T> ExportedAsync<T>(Func<ReadOnlyMemory<byte>, (T Item, int Length)> read, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> after = ReadOnlyMemory<byte>.Empty;
        var routes = await _routing.CurrentAsync(cancellationToken).ConfigureAwait(false);
        var reroutes = 0;
        for (var partition = 0; partition < routes.Map.Count;)
        {
            AtomBatch page;
            try
            {
                page = await _routing.Call(routes, partition, grain => grain.ExportPage(after, SpaceLimits.ExportPageBytes), cancellationToken).ConfigureAwait(false);
                reroutes = 0;
            }
            catch (PartitionMapChangedException) when (++reroutes <= SpaceRouting.MaxReroutes)
            {
                // Divided since: go on from the partition that now holds the keys after the last one read.
                routes = await _routing.RefreshAsync(cancellationToken).ConfigureAwait(false);
                partition = routes.Map.IndexOf(after.Span);
                continue;
            }

            if (page.Count == 0)
            {
                partition++;
                continue;
            }

            var lastStart = 0;
            for (var start = 0; start < page.Bytes.Length;)
            {
                var (item, length) = read(page.Bytes[start..]);
                yield return item;
                (lastStart, start) = (start, start + length);
            }

            after = page.Bytes[lastStart..];
        }
    }

    /// <summary>The rules for (head, arity), in index order, a page at a time.</summary>
    public async IAsyncEnumerable<Atom> MatchingRulesAsync(string head, int arity, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentOutOfRangeException.ThrowIfNegative(arity);
        var headBytes = SymbolNames.ToBytes(head) ?? throw new ArgumentException($"'{head}' is not a symbol's name: it holds a lone surrogate that stands for no byte", nameof(head));
        if (headBytes.Length > SpaceLimits.MaxAtomBytes)
        {
            throw new ArgumentException($"a head of more than {SpaceLimits.MaxAtomBytes:N0} bytes cannot name any rule", nameof(head));
        }

        // Each partition's rules in its index order, the partitions in key order.
        var routes = await _routing.CurrentAsync(cancellationToken).ConfigureAwait(false);
        for (var partition = 0; partition < routes.Map.Count; partition++)
        {
            for (long from = 0; from >= 0;)
            {
                var page = await _routing.Call(routes, partition, grain => grain.RulesPage(headBytes, arity, from, SpaceLimits.ExportPageBytes), cancellationToken).ConfigureAwait(false);
                foreach (var rule in AtomDecoder.DecodeAll(page.Rules.Bytes.Span))
                {
                    yield return rule;
                }

                from = page.Next;
            }
        }
    }

    /// <summary>
    /// Writes every atom of the space to <paramref name="output"/> as MORK's <c>.paths</c> data, in key
    /// order, a page at a time; returns how many atoms it wrote and how many of them needed our
    /// extension tags (MORK cannot read those: docs/encoding.md). If it throws, what it wrote may still
    /// end like a whole stream: discard it (<c>orleanskb export</c> writes beside the file and moves it).
    /// </summary>
    public async Task<(long Atoms, long Extended)> ExportPathsAsync(Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        await using var writer = new PathsWriter(output);

        // Each atom is validated as it is measured: what goes into the file is well formed.
        await foreach (var atom in ExportedAsync(Measured, cancellationToken).ConfigureAwait(false))
        {
            writer.Write(atom.Span);
        }

        return (writer.Atoms, writer.Extended);

        static (ReadOnlyMemory<byte>, int) Measured(ReadOnlyMemory<byte> bytes)
        {
            var length = AtomDecoder.Measure(bytes.Span);
            return (bytes[..length], length);
        }
    }

}
