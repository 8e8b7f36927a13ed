using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Spaces;
using OrleansKb.Text;

namespace OrleansKb.Client;

/// <summary>
/// A handle on one space of the cluster. Bulk adds encode on this process's cores, in parallel
/// (the same <c>ParallelEncoder</c> the in-process <see cref="Spaces.Environment"/> uses), and send
/// one message per batch with several batches in flight; the grain's turn only validates and inserts.
/// </summary>
public sealed class KbSpace
{
    private const int InputChunkAtoms = 16_384;
    private readonly IEnvironmentGrain _grain;

    internal KbSpace(IEnvironmentGrain grain, string name)
    {
        _grain = grain;
        Name = name;
    }

    /// <summary>The space named <paramref name="name"/> through any Orleans client or silo (created on first use).</summary>
    public static KbSpace Of(IGrainFactory grains, string name)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new KbSpace(grains.GetGrain<IEnvironmentGrain>(name), name);
    }

    /// <summary>The space's name.</summary>
    public string Name { get; }

    /// <summary>The number of atoms in the space.</summary>
    public Task<long> CountAsync() => _grain.Count();

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
    /// </summary>
    public async Task<LoadResult> LoadFileAsync(string path, LoadOptions? options = null, IProgress<LoadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= LoadOptions.Default;
        options.Validate();
        var stopwatch = Stopwatch.StartNew();
        var totalBytes = new FileInfo(path).Length;
        var segments = (await OnDedicatedThreadsAsync([path], file => FileSegments.Split(file, options.Bulk.DegreeOfParallelism), cancellationToken).ConfigureAwait(false))[0];
        try
        {
            await OnDedicatedThreadsAsync(segments, segment => CheckSegment(path, segment, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is MettaSyntaxException or OversizedAtomException && segments.Count > 1)
        {
            // The segments' reports are not authoritative (a cut may be wrong, indexes are per segment):
            // the sequential check reports the first error as a single reader sees it, or finds none.
            await Task.Run(() => CheckSegment(path, new FileSegment(0, totalBytes), cancellationToken), cancellationToken).ConfigureAwait(false);
            segments = [new FileSegment(0, totalBytes)];
        }

        long bytesRead = 0, atomsRead = 0;
        var batches = Channel.CreateBounded<EncodedAtomWriter>(2 * segments.Count);
        var sender = new BatchSender(_grain.AddFacts, options.Bulk.BatchBytes, options.BatchesInFlight,
            (sent, added) => progress?.Report(new LoadProgress(sent, added, Interlocked.Read(ref bytesRead), totalBytes)));
        var readers = OnDedicatedThreadsAsync(segments, segment =>
        {
            using var reader = new MettaReader(new FileSegmentStream(path, segment), path);
            long reported = 0;
            while (true)
            {
                var batch = new EncodedAtomWriter(options.Bulk.BatchBytes + 4096);
                if (reader.ReadEncodedBatch(batch, options.Bulk.BatchBytes) == 0)
                {
                    break;
                }

                Interlocked.Add(ref bytesRead, reader.BytesRead - reported);
                reported = reader.BytesRead;
                batches.Writer.WriteAsync(batch, cancellationToken).AsTask().GetAwaiter().GetResult();
            }

            Interlocked.Add(ref atomsRead, reader.AtomsRead);
            return 0;
        }, cancellationToken);
        _ = readers.ContinueWith(t => batches.Writer.TryComplete(t.Exception?.GetBaseException()), TaskScheduler.Default);

        try
        {
            await foreach (var batch in batches.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await sender.AddAsync(batch).ConfigureAwait(false);
            }

            await readers.ConfigureAwait(false);
            await sender.CompleteAsync().ConfigureAwait(false);
        }
        catch
        {
            batches.Writer.TryComplete();
            await sender.AbandonAsync().ConfigureAwait(false);
            throw;
        }

        return new LoadResult(atomsRead, sender.AtomsAdded, await _grain.Count().ConfigureAwait(false), stopwatch.Elapsed);
    }

    /// <summary>Removes atoms (or ones alpha-equivalent to them); returns how many were present.</summary>
    public async Task<int> RemoveAsync(IEnumerable<Atom> atoms) => await _grain.Remove(Encode(atoms)).ConfigureAwait(false);

    /// <summary>True if the space holds the atom (or one alpha-equivalent to it).</summary>
    public async Task<bool> ContainsAsync(Atom atom) => (await _grain.Contains(Encode([atom])).ConfigureAwait(false))[0];

    /// <summary>Every atom of the space in key order, a page at a time.</summary>
    public async IAsyncEnumerable<Atom> ExportAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ReadOnlyMemory<byte> after = ReadOnlyMemory<byte>.Empty;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await _grain.ExportPage(after, SpaceLimits.ExportPageBytes).ConfigureAwait(false);
            if (page.Count == 0)
            {
                yield break;
            }

            var lastStart = 0;
            foreach (var (atom, start) in DecodeWithOffsets(page.Bytes))
            {
                lastStart = start;
                yield return atom;
            }

            after = page.Bytes[lastStart..];
        }
    }

    /// <summary>The rules for (head, arity), in index order.</summary>
    public async Task<List<Atom>> MatchingRulesAsync(string head, int arity) =>
        AtomDecoder.DecodeAll((await _grain.MatchingRules(head, arity).ConfigureAwait(false)).Bytes.Span);

    /// <summary>Removes every atom.</summary>
    public Task ClearAsync() => _grain.Clear();

    /// <summary>
    /// <c>match</c>: <paramref name="template"/> instantiated by each solution of <paramref name="pattern"/>
    /// (two-way unification; <c>(, p1 … pn)</c> is a conjunction), at most <paramref name="limit"/>,
    /// streamed in batches. Variables left unbound in a result are named <c>$x0</c>, <c>$x1</c>, ….
    /// </summary>
    public async IAsyncEnumerable<Atom> MatchAsync(Atom pattern, Atom template, int limit = int.MaxValue, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var query = Encode([Atom.Expression(pattern, template)]);
        await foreach (var batch in _grain.Match(query, limit).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            foreach (var atom in AtomDecoder.DecodeAll(batch.Bytes.Span))
            {
                yield return atom;
            }
        }
    }

    /// <summary>The number of solutions of <paramref name="pattern"/>.</summary>
    public Task<long> MatchCountAsync(Atom pattern) => _grain.MatchCount(Encode([pattern]));

    private async Task<long> AddAsync(IAsyncEnumerable<Atom[]> chunks, bool rules, LoadOptions? options, IProgress<LoadProgress>? progress, CancellationToken cancellationToken)
    {
        options ??= LoadOptions.Default;
        options.Validate();
        var sender = new BatchSender(rules ? _grain.AddRules : _grain.AddFacts, options.Bulk.BatchBytes, rules ? 1 : options.BatchesInFlight,
            (sent, added) => progress?.Report(new LoadProgress(sent, added, 0, 0)));
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
                    await sender.AddAsync(encoder.Chunk(i)!).ConfigureAwait(false);
                }
            }

            await sender.CompleteAsync().ConfigureAwait(false);
            return sender.AtomsAdded;
        }
        catch
        {
            await sender.AbandonAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Reads a segment to encoded atoms and checks each one's size, keeping nothing.</summary>
    private static int CheckSegment(string path, FileSegment segment, CancellationToken cancellationToken)
    {
        using var reader = new MettaReader(new FileSegmentStream(path, segment), path);
        var batch = new EncodedAtomWriter();
        long index = 0;
        while (reader.ReadEncodedBatch(batch, 1 << 20) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var i = 0; i < batch.AtomCount; i++, index++)
            {
                if (batch.AtomLength(i) > SpaceLimits.MaxAtomBytes)
                {
                    throw new OversizedAtomException(index, batch.AtomLength(i));
                }
            }

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

    private static AtomBatch Encode(IEnumerable<Atom> atoms)
    {
        var writer = new EncodedAtomWriter(256);
        foreach (var atom in atoms)
        {
            AtomEncoder.Append(atom, writer);
        }

        return new AtomBatch(writer.ToArray(), writer.AtomCount);
    }

    private static IEnumerable<(Atom Atom, int Start)> DecodeWithOffsets(ReadOnlyMemory<byte> page)
    {
        for (var start = 0; start < page.Length;)
        {
            var atom = AtomDecoder.DecodeNext(page.Span[start..], out var length);
            yield return (atom, start);
            start += length;
        }
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
