using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Persistence;
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
    private const int InputChunkAtoms = 16_384;
    private readonly IEnvironmentGrain _grain;
    private readonly ConnectionWatch? _connection;

    private KbSpace(IEnvironmentGrain grain, string name, ConnectionWatch? connection)
    {
        _grain = grain;
        Name = name;
        _connection = connection;
    }

    /// <summary>The space named <paramref name="name"/> through any Orleans client or silo (created on first use).</summary>
    public static KbSpace Of(IGrainFactory grains, string name) => Of(grains, name, ephemeral: false, connection: null);

    /// <summary>
    /// The space named <paramref name="name"/>: durable, in the silo's store — or, with
    /// <paramref name="ephemeral"/>, kept in the silo's memory only (a space of its own: the ephemeral
    /// and the durable space of one name are two spaces).
    /// </summary>
    public static KbSpace Of(IGrainFactory grains, string name, bool ephemeral) => Of(grains, name, ephemeral, connection: null);

    internal static KbSpace Of(IGrainFactory grains, string name, bool ephemeral, ConnectionWatch? connection)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(name);
        if (NameProblem(name) is { } problem)
        {
            throw new ArgumentException(problem, nameof(name));
        }

        IEnvironmentGrain grain = ephemeral ? grains.GetGrain<IEphemeralEnvironmentGrain>(name) : grains.GetGrain<IEnvironmentGrain>(name);
        return new KbSpace(grain, name, connection);
    }

    /// <summary>
    /// What is wrong with <paramref name="name"/> as a space name, or null: a name has 1 to
    /// <see cref="MaxNameLength"/> characters, not all white space, and no control characters.
    /// </summary>
    public static string? NameProblem(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (string.IsNullOrWhiteSpace(name))
        {
            return "a space name must not be empty or only white space";
        }

        if (name.Length > MaxNameLength)
        {
            return $"a space name has at most {MaxNameLength} characters, not {name.Length:N0}";
        }

        if (name.Any(char.IsControl))
        {
            return "a space name must not contain control characters";
        }

        return IsValidUnicode(name) ? null : "a space name must be valid Unicode (it holds a lone surrogate)";
    }

    private static bool IsValidUnicode(string text)
    {
        for (var i = 0; i < text.Length; i += char.IsSurrogatePair(text, i) ? 2 : 1)
        {
            if (char.IsSurrogate(text[i]) && !char.IsSurrogatePair(text, i))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The longest space name, in characters.</summary>
    public const int MaxNameLength = 200;

    /// <summary>The space's name.</summary>
    public string Name { get; }

    /// <summary>The number of atoms in the space.</summary>
    public Task<long> CountAsync(CancellationToken cancellationToken = default) => Call(_grain.Count(), cancellationToken);

    /// <summary>The space's size, its store, the silo hosting it, and the matches open on it.</summary>
    public Task<SpaceInfo> InfoAsync(CancellationToken cancellationToken = default) => Call(_grain.Info(), cancellationToken);

    /// <summary>Unloads the space from the silo's memory once idle; its next call recovers it from its store (<see cref="SpaceInfo.RecoveryMs"/> says how long that took).</summary>
    public Task UnloadAsync(CancellationToken cancellationToken = default) => Call(Completed(_grain.Unload()), cancellationToken);

    /// <summary>Takes a snapshot of the space now, and returns its info once the snapshot is published.</summary>
    public Task<SpaceInfo> SnapshotAsync(CancellationToken cancellationToken = default) => Call(_grain.Snapshot(), cancellationToken);

    /// <summary>Adds atoms; returns how many were new.</summary>
    public Task<long> AddFactsAsync(IEnumerable<Atom> atoms, LoadOptions? options = null, IProgress<LoadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        AddAsync(Chunks(atoms), rules: false, options, progress, cancellationToken);

    /// <summary>Adds atoms as they arrive; returns how many were new.</summary>
    public Task<long> AddFactsAsync(IAsyncEnumerable<Atom> atoms, LoadOptions? options = null, IProgress<LoadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        AddAsync(Chunks(atoms, cancellationToken), rules: false, options, progress, cancellationToken);

    /// <summary>Adds rules <c>(= lhs rhs)</c>, in order; returns how many were new.</summary>
    public Task<long> AddRulesAsync(IEnumerable<Atom> rules, LoadOptions? options = null, IProgress<LoadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        AddAsync(Chunks(rules), rules: true, options, progress, cancellationToken);

    /// <summary>Adds rules as they arrive, in order; returns how many were new.</summary>
    public Task<long> AddRulesAsync(IAsyncEnumerable<Atom> rules, LoadOptions? options = null, IProgress<LoadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        AddAsync(Chunks(rules, cancellationToken), rules: true, options, progress, cancellationToken);

    /// <summary>
    /// Loads a .metta file. The whole file is checked first — syntax, and the size of every atom — so
    /// a file with an error adds nothing (the <see cref="MettaSyntaxException"/> names file, line and
    /// column). Then the file is read straight to encoded batches, in parallel: it is cut into
    /// segments between top-level atoms (<see cref="FileSegments"/>), each read by its own reader on a
    /// dedicated thread, and the batches are sent as they come, several in flight.
    /// <para>
    /// A load that stops after sending — cancelled, the cluster lost, or the file changed while it
    /// was read (<see cref="InputChangedException"/>) — throws a <see cref="LoadInterruptedException"/>
    /// that says how many atoms were acknowledged.
    /// </para>
    /// </summary>
    public Task<LoadResult> LoadFileAsync(string path, LoadOptions? options = null, IProgress<LoadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        LoadAsync(path, path, options, progress, cancellationToken);

    /// <summary>
    /// Loads .metta text from a stream that may not be seekable (standard input, a pipe, a network
    /// stream): it is first copied to a temporary file, so that, as for a file, input with an error
    /// adds nothing. Errors name <paramref name="sourceName"/>.
    /// </summary>
    public Task<LoadResult> LoadStreamAsync(Stream input, string sourceName, LoadOptions? options = null, IProgress<LoadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        SpooledAsync(input, spool => LoadAsync(spool, sourceName, options, progress, cancellationToken), cancellationToken);

    /// <summary>
    /// Removes the atoms of .metta text read from a stream (a request body, standard input); returns
    /// how many were present. As for <see cref="LoadStreamAsync"/>, the text is copied to a temporary
    /// file and checked whole first, so input with an error (named as <paramref name="sourceName"/>)
    /// removes nothing; then its atoms are sent in batches as they are read again: the input is never
    /// held in memory, however large.
    /// </summary>
    public Task<long> RemoveStreamAsync(Stream input, string sourceName, CancellationToken cancellationToken = default) =>
        SpooledAsync(input, async spool =>
        {
            await OnDedicatedThreadsAsync([spool], file => CheckSegment(file, sourceName, new FileSegment(0, new FileInfo(file).Length), cancellationToken), cancellationToken).ConfigureAwait(false);
            using var reader = new MettaReader(File.OpenRead(spool), sourceName) { MaxAtomBytes = SpaceLimits.MaxAtomBytes };
            var batch = new EncodedAtomWriter(1 << 16);
            long removed = 0;
            while (reader.ReadEncodedBatch(batch, SpaceLimits.ExportPageBytes) > 0)
            {
                removed += await Call(_grain.Remove(new AtomBatch(batch.ToArray(), batch.AtomCount)), cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }

            return removed;
        }, cancellationToken);

    /// <summary>Copies <paramref name="input"/> to a new temporary file, runs <paramref name="use"/> on its path, and deletes it.</summary>
    private static async Task<T> SpooledAsync<T>(Stream input, Func<string, Task<T>> use, CancellationToken cancellationToken)
    {
        var spool = await SpoolAsync(input, cancellationToken).ConfigureAwait(false);
        try
        {
            return await use(spool).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(spool);
        }
    }

    /// <summary>Copies <paramref name="input"/> to a new temporary file and returns its path; the caller deletes it.</summary>
    private static async Task<string> SpoolAsync(Stream input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var spool = Path.Combine(Path.GetTempPath(), $"orleanskb-{Guid.NewGuid():N}.metta");
        try
        {
            // What is spooled may be someone's data: readable by this user only.
            await using var file = OwnerOnly.Open(spool, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);

            // A read from a terminal or a pipe may not watch the token: stop waiting for it instead.
            await input.CopyToAsync(file, 1 << 20, cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            File.Delete(spool);
            throw;
        }

        return spool;
    }

    /// <summary>Removes atoms (or ones alpha-equivalent to them); returns how many were present. Sent in batches; an atom over the size limit is refused before any is sent.</summary>
    public async Task<long> RemoveAsync(IEnumerable<Atom> atoms, CancellationToken cancellationToken = default)
    {
        long removed = 0;
        foreach (var batch in Batches(atoms))
        {
            removed += await Call(_grain.Remove(batch), cancellationToken).ConfigureAwait(false);
        }

        return removed;
    }

    /// <summary>True if the space holds the atom (or one alpha-equivalent to it).</summary>
    public async Task<bool> ContainsAsync(Atom atom, CancellationToken cancellationToken = default) =>
        (await Call(_grain.Contains(Batches([atom]).Single()), cancellationToken).ConfigureAwait(false))[0];

    /// <summary>Every atom of the space in key order, a page at a time.</summary>
    public IAsyncEnumerable<Atom> ExportAsync(CancellationToken cancellationToken = default) =>
        ExportedAsync(bytes => (AtomDecoder.DecodeNext(bytes.Span, out var length), length), cancellationToken);

    /// <summary>
    /// The space's atoms in key order, a page at a time, each taken from its page by <paramref name="read"/>
    /// (which validates it and says its length): the next page is asked for after the last atom of this one.
    /// </summary>
    private async IAsyncEnumerable<T> ExportedAsync<T>(Func<ReadOnlyMemory<byte>, (T Item, int Length)> read, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> after = ReadOnlyMemory<byte>.Empty;
        while (true)
        {
            var page = await Call(_grain.ExportPage(after, SpaceLimits.ExportPageBytes), cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                yield break;
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
        if (System.Text.Encoding.UTF8.GetByteCount(head) > SpaceLimits.MaxAtomBytes)
        {
            throw new ArgumentException($"a head of more than {SpaceLimits.MaxAtomBytes:N0} bytes cannot name any rule", nameof(head));
        }

        for (long from = 0; from >= 0;)
        {
            var page = await Call(_grain.RulesPage(head, arity, from, SpaceLimits.ExportPageBytes), cancellationToken).ConfigureAwait(false);
            foreach (var rule in AtomDecoder.DecodeAll(page.Rules.Bytes.Span))
            {
                yield return rule;
            }

            from = page.Next;
        }
    }

    /// <summary>Removes every atom.</summary>
    public Task ClearAsync(CancellationToken cancellationToken = default) => Call(Completed(_grain.Clear()), cancellationToken);

    /// <summary>
    /// <c>match</c>: <paramref name="template"/> instantiated by each solution of <paramref name="pattern"/>
    /// (two-way unification; <c>(, p1 … pn)</c> is a conjunction), at most <paramref name="limit"/>.
    /// Solutions are found a page at a time as this enumeration asks for them; stopping early (or
    /// cancelling) closes the match in the space. Variables left unbound in a result are named
    /// <c>$x0</c>, <c>$x1</c>, …. A match the space stops (its budget exceeded) throws <see cref="MatchFailedException"/>.
    /// </summary>
    public async IAsyncEnumerable<Atom> MatchAsync(Atom pattern, Atom template, long limit = long.MaxValue, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(template);
        await foreach (var page in MatchPagesAsync(Atom.Expression(pattern, template), MatchRequest.Results(limit), cancellationToken).ConfigureAwait(false))
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
        ArgumentNullException.ThrowIfNull(pattern);
        long count = 0;
        await foreach (var page in MatchPagesAsync(pattern, MatchRequest.Count(limit), cancellationToken).ConfigureAwait(false))
        {
            count += page.Solutions;
        }

        return count;
    }

    /// <summary>
    /// The pages of a match. The next page is asked for before the caller gets the current one, so the
    /// space finds it while the caller reads this one (one page ahead, no more); the match is closed in
    /// the space if the caller stops early.
    /// </summary>
    private async IAsyncEnumerable<MatchPage> MatchPagesAsync(Atom query, MatchRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(request.Limit);
        var encoded = Batches([query]).Single();
        var page = await Call(_grain.MatchOpen(encoded, request), cancellationToken).ConfigureAwait(false);
        Task<MatchPage>? ahead = null;
        try
        {
            while (true)
            {
                ahead = page.Finished ? null : _grain.MatchNext(page.Cursor);
                yield return page;
                if (ahead is null)
                {
                    yield break;
                }

                page = await Call(ahead, cancellationToken).ConfigureAwait(false);
                ahead = null;
            }
        }
        finally
        {
            if (!page.Finished)
            {
                // Stopped early: free the match in the space now rather than when it times out, after
                // the page asked for ahead (if any) has come. Not awaited: a lost connection must not
                // hold up the caller, who is already leaving.
                var cursor = page.Cursor;
                var grain = _grain;
                _ = (ahead ?? Task.FromResult(page)).ContinueWith(
                        fetched => fetched.IsCompletedSuccessfully && fetched.Result.Finished ? Task.CompletedTask : grain.MatchClose(cursor),
                        TaskScheduler.Default)
                    .Unwrap()
                    .ContinueWith(closed => (closed.Exception, ahead?.Exception), TaskScheduler.Default);
            }
        }
    }

    private async Task<LoadResult> LoadAsync(string path, string sourceName, LoadOptions? options, IProgress<LoadProgress>? progress, CancellationToken cancellationToken)
    {
        options ??= LoadOptions.Default;
        options.Validate();
        var stopwatch = Stopwatch.StartNew();
        var identity = InputIdentity.Of(path);
        var segments = (await OnDedicatedThreadsAsync([path], file => FileSegments.Split(file, options.Bulk.DegreeOfParallelism), cancellationToken).ConfigureAwait(false))[0];
        try
        {
            await OnDedicatedThreadsAsync(segments, segment => CheckSegment(path, sourceName, segment, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (MettaSyntaxException) when (segments.Count > 1)
        {
            // The segments' reports are not authoritative (a cut may be wrong, positions are per segment):
            // the sequential check reports the first error as a single reader sees it, or finds none.
            await Task.Run(() => CheckSegment(path, sourceName, new FileSegment(0, identity.Length), cancellationToken), cancellationToken).ConfigureAwait(false);
            segments = [new FileSegment(0, identity.Length)];
        }

        identity.CheckUnchanged(path, sourceName);
        return await SendAsync(path, sourceName, identity, options, progress, stopwatch, 2 * segments.Count, (batches, counters, stopped) => OnDedicatedThreadsAsync(segments, segment =>
        {
            using var reader = new MettaReader(new FileSegmentStream(path, segment), sourceName) { MaxAtomBytes = SpaceLimits.MaxAtomBytes };
            long reported = 0;
            while (true)
            {
                var batch = WriterPool.Rent();
                if (reader.ReadEncodedBatch(batch, options.Bulk.BatchBytes) == 0)
                {
                    WriterPool.Return(batch);
                    break;
                }

                Interlocked.Add(ref counters.BytesRead, reader.BytesRead - reported);
                reported = reader.BytesRead;
                batches.WriteAsync(batch, stopped).AsTask().GetAwaiter().GetResult();
            }

            Interlocked.Add(ref counters.AtomsRead, reader.AtomsRead);
            return 0;
        }, stopped), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Loads MORK's <c>.paths</c> file (<see cref="PathsFormat"/>): checked whole first — the zlib
    /// stream, each record exactly one valid encoded atom within the size limit — so a damaged file
    /// adds nothing (the <see cref="InvalidDataException"/> names the record); then its records are sent
    /// in batches as they are read again, as a <c>.metta</c> file's atoms are.
    /// </summary>
    public Task<LoadResult> LoadPathsFileAsync(string path, LoadOptions? options = null, IProgress<LoadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        LoadPathsAsync(path, path, options, progress, cancellationToken);

    private async Task<LoadResult> LoadPathsAsync(string path, string sourceName, LoadOptions? options, IProgress<LoadProgress>? progress, CancellationToken cancellationToken)
    {
        options ??= LoadOptions.Default;
        options.Validate();
        var stopwatch = Stopwatch.StartNew();
        var identity = InputIdentity.Of(path);
        await OnDedicatedThreadsAsync([path], file =>
        {
            using var input = File.OpenRead(file);
            foreach (var _ in PathsFormat.ReadRecords(input, sourceName, SpaceLimits.MaxAtomBytes))
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            return 0;
        }, cancellationToken).ConfigureAwait(false);
        identity.CheckUnchanged(path, sourceName);
        return await SendAsync(path, sourceName, identity, options, progress, stopwatch, 2, (batches, counters, stopped) => OnDedicatedThreadsAsync([path], file =>
        {
            using var input = File.OpenRead(file);
            var batch = WriterPool.Rent();
            foreach (var record in PathsFormat.ReadRecords(input, sourceName, SpaceLimits.MaxAtomBytes))
            {
                batch.AppendAtom(record.Span);
                if (batch.Length >= options.Bulk.BatchBytes)
                {
                    Send(batch);
                    batch = WriterPool.Rent();
                }
            }

            if (batch.AtomCount > 0)
            {
                Send(batch);
            }
            else
            {
                WriterPool.Return(batch);
            }

            return 0;

            void Send(EncodedAtomWriter full)
            {
                Interlocked.Add(ref counters.AtomsRead, full.AtomCount);
                Interlocked.Exchange(ref counters.BytesRead, input.Position);
                batches.WriteAsync(full, stopped).AsTask().GetAwaiter().GetResult();
            }
        }, stopped), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As <see cref="LoadPathsFileAsync"/>, from a stream that may not be seekable (copied to a temporary file first); errors name <paramref name="sourceName"/>.</summary>
    public Task<LoadResult> LoadPathsStreamAsync(Stream input, string sourceName, LoadOptions? options = null, IProgress<LoadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        SpooledAsync(input, spool => LoadPathsAsync(spool, sourceName, options, progress, cancellationToken), cancellationToken);

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

    /// <summary>
    /// Sends the batches <paramref name="produce"/> writes (on threads of its own, counting what it
    /// reads) through a bounded channel, several in flight. A load that stops after sending throws a
    /// <see cref="LoadInterruptedException"/> that says how many atoms were acknowledged.
    /// </summary>
    private async Task<LoadResult> SendAsync(
        string path, string sourceName, InputIdentity identity, LoadOptions options, IProgress<LoadProgress>? progress, Stopwatch stopwatch, int channelCapacity,
        Func<ChannelWriter<EncodedAtomWriter>, LoadCounters, CancellationToken, Task> produce, CancellationToken cancellationToken)
    {
        var counters = new LoadCounters();
        var batches = Channel.CreateBounded<EncodedAtomWriter>(channelCapacity);
        using var stopped = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Connection);
        var sender = new BatchSender(_grain.AddFacts, options.Bulk.BatchBytes, options.BatchesInFlight,
            (sent, added) => progress?.Report(new LoadProgress(sent, added, Interlocked.Read(ref counters.BytesRead), identity.Length)), stopped.Token);
        var readers = produce(batches.Writer, counters, stopped.Token);
        _ = readers.ContinueWith(t => batches.Writer.TryComplete(t.Exception?.GetBaseException()), TaskScheduler.Default);

        try
        {
            await foreach (var batch in batches.Reader.ReadAllAsync(stopped.Token).ConfigureAwait(false))
            {
                await sender.AddAsync(batch).ConfigureAwait(false);
            }

            await readers.ConfigureAwait(false);
            await sender.CompleteAsync().ConfigureAwait(false);
            identity.CheckUnchanged(path, sourceName);
        }
        catch (Exception e)
        {
            batches.Writer.TryComplete();
            await sender.AbandonAsync().ConfigureAwait(false);

            // The file passed its check, so an error reading it now means it changed meanwhile.
            var cause = e is MettaSyntaxException or InvalidDataException or InputChangedException ? identity.Changed(path, sourceName) ?? e : LostConnectionOr(e, cancellationToken);
            throw new LoadInterruptedException(
                $"{sourceName}: the load stopped after {sender.AtomsAcknowledged:N0} of its atoms were acknowledged ({sender.AtomsAdded:N0} of them new to space '{Name}'); loading it again is safe",
                cause)
            {
                AtomsAcknowledged = sender.AtomsAcknowledged,
                AtomsAdded = sender.AtomsAdded,
            };
        }

        return new LoadResult(counters.AtomsRead, sender.AtomsAdded, await Call(_grain.Count(), cancellationToken).ConfigureAwait(false), stopwatch.Elapsed);
    }

    private async Task<long> AddAsync(IAsyncEnumerable<Atom[]> chunks, bool rules, LoadOptions? options, IProgress<LoadProgress>? progress, CancellationToken cancellationToken)
    {
        options ??= LoadOptions.Default;
        options.Validate();
        using var stopped = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Connection);
        var sender = new BatchSender(rules ? _grain.AddRules : _grain.AddFacts, options.Bulk.BatchBytes, rules ? 1 : options.BatchesInFlight,
            (sent, added) => progress?.Report(new LoadProgress(sent, added, 0, 0)), stopped.Token);
        try
        {
            await foreach (var chunk in chunks.ConfigureAwait(false))
            {
                cancellationToken.ThrowIfCancellationRequested();
                foreach (var atom in chunk)
                {
                    ArgumentNullException.ThrowIfNull(atom);
                }

                // Encoding this chunk overlaps the sending and inserting of the previous one.
                var degree = chunk.Length < options.Bulk.ParallelThreshold ? 1 : options.Bulk.DegreeOfParallelism;
                using var encoder = new ParallelEncoder(chunk, degree);
                encoder.Run();
                for (var i = 0; i < encoder.ChunkCount; i++)
                {
                    await sender.AddAsync(encoder.Take(i)).ConfigureAwait(false);
                }
            }

            await sender.CompleteAsync().ConfigureAwait(false);
            return sender.AtomsAdded;
        }
        catch (Exception e)
        {
            await sender.AbandonAsync().ConfigureAwait(false);
            if (LostConnectionOr(e, cancellationToken) is KbConnectionException lost)
            {
                throw lost;
            }

            throw;
        }
    }

    private CancellationToken Connection => _connection?.Lost ?? CancellationToken.None;

    /// <summary>Waits for a grain call: until it answers, the caller cancels, or the connection to the cluster is lost.</summary>
    private async Task<T> Call<T>(Task<T> call, CancellationToken cancellationToken)
    {
        var connection = Connection;
        using var either = connection.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connection) : null;
        try
        {
            return await call.WaitAsync(either?.Token ?? cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException || KbErrors.IsUndelivered(e))
        {
            // The call goes on without us (until it answers or Orleans times it out): observe its end.
            _ = call.ContinueWith(t => t.Exception, TaskScheduler.Default);
            if (LostConnectionOr(e, cancellationToken) is KbConnectionException lost)
            {
                throw lost;
            }

            throw;
        }
    }

    private static async Task<bool> Completed(Task call)
    {
        await call.ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// A cancellation caused by the lost connection (not by the caller) as the connection error; a
    /// message the gateway could not deliver as the space's silo being out of reach; any other failure as it is.
    /// </summary>
    private Exception LostConnectionOr(Exception failure, CancellationToken callerToken) => failure switch
    {
        OperationCanceledException when !callerToken.IsCancellationRequested && _connection is { } connection && connection.Lost.IsCancellationRequested
            => connection.LostError(),
        _ when KbErrors.IsUndelivered(failure) && _connection is not { Lost.IsCancellationRequested: true }
            => new KbConnectionException(
                $"space '{Name}': the silo holding it does not answer (has it failed?); the cluster recovers the space on another silo once it has declared that silo dead, "
                + "within about 30 s by default (deploy/README.md, \"Failover\"): try again shortly",
                failure),
        _ => failure,
    };

    /// <summary>Reads a segment to encoded atoms, checking the grammar and each atom's size, keeping nothing.</summary>
    private static int CheckSegment(string path, string sourceName, FileSegment segment, CancellationToken cancellationToken)
    {
        using var reader = new MettaReader(new FileSegmentStream(path, segment), sourceName) { MaxAtomBytes = SpaceLimits.MaxAtomBytes };
        var batch = new EncodedAtomWriter();
        while (reader.ReadEncodedBatch(batch, 1 << 20) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            batch.Clear();
        }

        return 0;
    }

    /// <summary>Runs CPU-bound work on dedicated threads, one per item — never on the thread pool that async code and Orleans run on.</summary>
    private static async Task<List<TResult>> OnDedicatedThreadsAsync<TItem, TResult>(IReadOnlyList<TItem> items, Func<TItem, TResult> work, CancellationToken cancellationToken)
    {
        var tasks = items.Select(item => Task.Factory.StartNew(() => work(item), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToList();
        return [.. await Task.WhenAll(tasks).ConfigureAwait(false)];
    }

    /// <summary>The atoms encoded into messages of at most <see cref="SpaceLimits.ExportPageBytes"/> (or one atom); all encoded and size-checked before the first is sent.</summary>
    private static List<AtomBatch> Batches(IEnumerable<Atom> atoms)
    {
        ArgumentNullException.ThrowIfNull(atoms);
        var batches = new List<AtomBatch>();
        var writer = new EncodedAtomWriter(256) { AtomLimit = SpaceLimits.MaxAtomBytes };
        foreach (var atom in atoms)
        {
            var before = writer.Length;
            AtomEncoder.Append(atom, writer);
            if (writer.Length >= SpaceLimits.ExportPageBytes && writer.AtomCount > 1)
            {
                // The last atom starts the next batch.
                var last = writer.WrittenSpan[before..].ToArray();
                batches.Add(new AtomBatch(writer.WrittenSpan[..before].ToArray(), writer.AtomCount - 1));
                writer.Clear();
                writer.AppendAtom(last);
            }
        }

        if (writer.AtomCount > 0 || batches.Count == 0)
        {
            batches.Add(new AtomBatch(writer.ToArray(), writer.AtomCount));
        }

        return batches;
    }

#pragma warning disable CS1998 // Synchronous input, one shape for both kinds.
    private static async IAsyncEnumerable<Atom[]> Chunks(IEnumerable<Atom> atoms)
#pragma warning restore CS1998
    {
        ArgumentNullException.ThrowIfNull(atoms);
        foreach (var chunk in atoms.Chunk(InputChunkAtoms))
        {
            yield return chunk;
        }
    }

    private static async IAsyncEnumerable<Atom[]> Chunks(IAsyncEnumerable<Atom> atoms, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(atoms);
        var chunk = new List<Atom>(InputChunkAtoms);
        await foreach (var atom in atoms.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            chunk.Add(atom);
            if (chunk.Count == InputChunkAtoms)
            {
                yield return [.. chunk];
                chunk.Clear();
            }
        }

        if (chunk.Count > 0)
        {
            yield return [.. chunk];
        }
    }
}
