using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Persistence;
using OrleansKb.Spaces;
using OrleansKb.Text;

namespace OrleansKb.Client;

/// <summary>
/// Loads a <see cref="LoadSource"/> into a space. A source is checked whole first — the syntax of text
/// (in parallel segments), each record of a <c>.paths</c> file, the size of every atom — so input with
/// an error adds nothing. Then it is read again straight to finished batches of encoded atoms, on
/// dedicated threads, and a <see cref="BatchSender"/> pipelines them to the grain as they come.
/// </summary>
internal sealed class SpaceLoads(SpaceCalls calls, SpaceRouting routing, string space)
{
    /// <summary>Loads <paramref name="source"/>; a load that stops after sending throws a <see cref="LoadInterruptedException"/>.</summary>
    public async Task<LoadResult> LoadAsync(LoadSource source, LoadOptions options, IProgress<LoadProgress>? progress, CancellationToken cancellationToken)
    {
        options.Validate();
        if (source.Path is { } path)
        {
            return await LoadFileAsync(path, source, options, progress, cancellationToken).ConfigureAwait(false);
        }

        return await SpooledAsync(source.Input!, spool => LoadFileAsync(spool, source, options, progress, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Adds atom objects as facts or rules: each chunk is encoded in parallel while the previous one travels; returns how many were new.</summary>
    public async Task<long> AddAsync(IAsyncEnumerable<Atom[]> chunks, bool rules, LoadOptions options, IProgress<LoadProgress>? progress, CancellationToken cancellationToken)
    {
        options.Validate();
        using var stopped = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, calls.Connection);
        var sender = new BatchSender(Sending(rules, stopped.Token), options.Bulk.BatchBytes, rules ? 1 : options.BatchesInFlight,
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
            if (calls.LostConnectionOr(e, cancellationToken) is KbConnectionException lost)
            {
                throw lost;
            }

            throw;
        }
    }

    /// <summary>Removes the atoms of <c>.metta</c> text read from <paramref name="input"/> (spooled, checked whole, then sent in batches); returns how many were present.</summary>
    public Task<long> RemoveTextAsync(Stream input, string sourceName, CancellationToken cancellationToken) =>
        SpooledAsync(input, async spool =>
        {
            await OnDedicatedThreadsAsync([new FileSegment(0, new FileInfo(spool).Length)], segment => CheckText(spool, sourceName, segment, cancellationToken), cancellationToken).ConfigureAwait(false);
            using var reader = new MettaReader(File.OpenRead(spool), sourceName) { MaxAtomBytes = SpaceLimits.MaxAtomBytes };
            var batch = new EncodedAtomWriter(1 << 16);
            long removed = 0;
            while (reader.ReadEncodedBatch(batch, SpaceLimits.ExportPageBytes) > 0)
            {
                removed += await routing.SendAsync(new AtomBatch(batch.ToArray(), batch.AtomCount), (grain, part) => grain.Remove(part), cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }

            return removed;
        }, cancellationToken);

    private async Task<LoadResult> LoadFileAsync(string path, LoadSource source, LoadOptions options, IProgress<LoadProgress>? progress, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var identity = InputIdentity.Of(path);
        // The check sees every atom: it samples their keys when the load is to divide the space.
        var samples = new ConcurrentBag<KeySample>();
        KeySample? Sample() => options.Partitions > 1 ? NewSample(samples) : null;
        var segments = source.Format == LoadFormat.Paths
            ? await CheckPathsAsync(path, source.Name, Sample, cancellationToken).ConfigureAwait(false)
            : await CheckTextAsync(path, source.Name, identity, options, Sample, cancellationToken).ConfigureAwait(false);
        identity.CheckUnchanged(path, source.Name);
        if (options.Partitions > 1)
        {
            await routing.DivideAsync([.. samples.SelectMany(sample => sample.Keys)], options.Partitions.Value, cancellationToken).ConfigureAwait(false);
        }

        var counters = new LoadCounters();
        var batches = Channel.CreateBounded<EncodedAtomWriter>(2 * segments.Count);
        using var stopped = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, calls.Connection);
        var sender = new BatchSender(Sending(rules: false, stopped.Token), options.Bulk.BatchBytes, options.BatchesInFlight,
            (sent, added) => progress?.Report(new LoadProgress(sent, added, Interlocked.Read(ref counters.BytesRead), identity.Length)), stopped.Token);
        var readers = OnDedicatedThreadsAsync(segments, segment =>
        {
            // Each reader hands over batches as it fills them (taken from the pool, returned by the sender).
            var write = (EncodedAtomWriter batch) => batches.Writer.WriteAsync(batch, stopped.Token).AsTask().GetAwaiter().GetResult();
            if (source.Format == LoadFormat.Paths)
            {
                ReadPaths(path, source.Name, options.Bulk.BatchBytes, counters, write);
            }
            else
            {
                ReadText(path, source.Name, segment, options.Bulk.BatchBytes, counters, write);
            }

            return 0;
        }, stopped.Token);
        _ = readers.ContinueWith(t => batches.Writer.TryComplete(t.Exception?.GetBaseException()), TaskScheduler.Default);

        try
        {
            await foreach (var batch in batches.Reader.ReadAllAsync(stopped.Token).ConfigureAwait(false))
            {
                await sender.AddAsync(batch).ConfigureAwait(false);
            }

            await readers.ConfigureAwait(false);
            await sender.CompleteAsync().ConfigureAwait(false);
            identity.CheckUnchanged(path, source.Name);
        }
        catch (Exception e)
        {
            batches.Writer.TryComplete();
            await sender.AbandonAsync().ConfigureAwait(false);

            // The input passed its check, so an error reading it now means it changed meanwhile.
            var cause = e is MettaSyntaxException or InvalidDataException or InputChangedException ? identity.Changed(path, source.Name) ?? e : calls.LostConnectionOr(e, cancellationToken);
            throw new LoadInterruptedException(
                $"{source.Name}: the load stopped after {sender.AtomsAcknowledged:N0} of its atoms were acknowledged ({sender.AtomsAdded:N0} of them new to space '{space}'); loading it again is safe",
                cause)
            {
                AtomsAcknowledged = sender.AtomsAcknowledged,
                AtomsAdded = sender.AtomsAdded,
            };
        }

        return new LoadResult(counters.AtomsRead, sender.AtomsAdded, await routing.CountAsync(cancellationToken).ConfigureAwait(false), stopwatch.Elapsed);
    }

    /// <summary>How a sender sends a batch: to the partitions that hold its atoms.</summary>
    private Func<AtomBatch, Task<int>> Sending(bool rules, CancellationToken cancellationToken) => rules
        ? batch => routing.SendAsync(batch, (grain, part) => grain.AddRules(part), cancellationToken)
        : batch => routing.SendAsync(batch, (grain, part) => grain.AddFacts(part), cancellationToken);

    private static KeySample NewSample(ConcurrentBag<KeySample> samples)
    {
        var sample = new KeySample();
        samples.Add(sample);
        return sample;
    }

    /// <summary>Checks text whole, in parallel segments; returns the segments to read it in.</summary>
    private static async Task<List<FileSegment>> CheckTextAsync(
        string path, string sourceName, InputIdentity identity, LoadOptions options, Func<KeySample?> sample, CancellationToken cancellationToken)
    {
        var segments = (await OnDedicatedThreadsAsync([path], file => FileSegments.Split(file, options.Bulk.DegreeOfParallelism), cancellationToken).ConfigureAwait(false))[0];
        try
        {
            await OnDedicatedThreadsAsync(segments, segment => CheckText(path, sourceName, segment, cancellationToken, sample()), cancellationToken).ConfigureAwait(false);
            return segments;
        }
        catch (MettaSyntaxException) when (segments.Count > 1)
        {
            // The segments' reports are not authoritative (a cut may be wrong, positions are per segment):
            // the sequential check reports the first error as a single reader sees it, or finds none.
            var whole = new FileSegment(0, identity.Length);
            await OnDedicatedThreadsAsync([whole], segment => CheckText(path, sourceName, segment, cancellationToken), cancellationToken).ConfigureAwait(false);
            return [whole];
        }
    }

    /// <summary>Checks every record of a <c>.paths</c> file; it is read as one segment.</summary>
    private static async Task<List<FileSegment>> CheckPathsAsync(string path, string sourceName, Func<KeySample?> sample, CancellationToken cancellationToken)
    {
        var length = await OnDedicatedThreadsAsync([path], file =>
        {
            using var input = File.OpenRead(file);
            var keys = sample();
            foreach (var record in PathsFormat.ReadRecords(input, sourceName, SpaceLimits.MaxAtomBytes))
            {
                cancellationToken.ThrowIfCancellationRequested();
                keys?.Offer(record.Span);
            }

            return input.Length;
        }, cancellationToken).ConfigureAwait(false);
        return [new FileSegment(0, length[0])];
    }

    /// <summary>Reads a segment of text to encoded atoms, checking the grammar and each atom's size, keeping nothing.</summary>
    private static int CheckText(string path, string sourceName, FileSegment segment, CancellationToken cancellationToken, KeySample? sample = null)
    {
        using var reader = new MettaReader(new FileSegmentStream(path, segment), sourceName) { MaxAtomBytes = SpaceLimits.MaxAtomBytes };
        var batch = new EncodedAtomWriter();
        while (reader.ReadEncodedBatch(batch, 1 << 20) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (sample is not null)
            {
                foreach (var key in new EncodedItems(batch.WrittenSpan))
                {
                    sample.Offer(key);
                }
            }

            batch.Clear();
        }

        return 0;
    }

    private static void ReadText(string path, string sourceName, FileSegment segment, int batchBytes, LoadCounters counters, Action<EncodedAtomWriter> send)
    {
        using var reader = new MettaReader(new FileSegmentStream(path, segment), sourceName) { MaxAtomBytes = SpaceLimits.MaxAtomBytes };
        long reported = 0;
        while (true)
        {
            var batch = WriterPool.Rent();
            if (reader.ReadEncodedBatch(batch, batchBytes) == 0)
            {
                WriterPool.Return(batch);
                break;
            }

            Interlocked.Add(ref counters.BytesRead, reader.BytesRead - reported);
            reported = reader.BytesRead;
            send(batch);
        }

        Interlocked.Add(ref counters.AtomsRead, reader.AtomsRead);
    }

    private static void ReadPaths(string path, string sourceName, int batchBytes, LoadCounters counters, Action<EncodedAtomWriter> send)
    {
        using var input = File.OpenRead(path);
        var batch = WriterPool.Rent();
        foreach (var record in PathsFormat.ReadRecords(input, sourceName, SpaceLimits.MaxAtomBytes))
        {
            batch.AppendAtom(record.Span);
            if (batch.Length >= batchBytes)
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

        void Send(EncodedAtomWriter full)
        {
            Interlocked.Add(ref counters.AtomsRead, full.AtomCount);
            Interlocked.Exchange(ref counters.BytesRead, input.Position);
            send(full);
        }
    }

    /// <summary>Copies <paramref name="input"/> to a new temporary file, runs <paramref name="use"/> on its path, and deletes it.</summary>
    private static async Task<T> SpooledAsync<T>(Stream input, Func<string, Task<T>> use, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var spool = Path.Combine(Path.GetTempPath(), $"orleanskb-{Guid.NewGuid():N}.spool");
        try
        {
            // What is spooled may be someone's data: readable by this user only.
            await using (var file = OwnerOnly.Open(spool, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                // A read from a terminal or a pipe may not watch the token: stop waiting for it instead.
                await input.CopyToAsync(file, 1 << 20, cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            return await use(spool).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(spool);
        }
    }

    /// <summary>Runs CPU-bound work on dedicated threads, one per item — never on the thread pool that async code and Orleans run on.</summary>
    private static async Task<List<TResult>> OnDedicatedThreadsAsync<TItem, TResult>(IReadOnlyList<TItem> items, Func<TItem, TResult> work, CancellationToken cancellationToken)
    {
        var tasks = items.Select(item => Task.Factory.StartNew(() => work(item), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToList();
        return [.. await Task.WhenAll(tasks).ConfigureAwait(false)];
    }
}
