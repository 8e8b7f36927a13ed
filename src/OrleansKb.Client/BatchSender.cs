using OrleansKb.Codec;
using OrleansKb.Spaces;

namespace OrleansKb.Client;

/// <summary>
/// Pipelines finished batches of encoded atoms to a grain, one message per batch, with at most
/// <c>inFlight</c> unacknowledged: the caller goes on reading or encoding while earlier batches travel
/// and are inserted. A batch given to the sender is the sender's: it travels as it is (no copy) and
/// goes back to <see cref="WriterPool"/> once acknowledged. Batches much smaller than
/// <c>batchBytes</c> are gathered into one message, one larger than twice that is cut, and an atom
/// larger than <see cref="SpaceLimits.MaxAtomBytes"/> is refused before it is sent, so no message ever
/// exceeds <see cref="SpaceLimits.MaxMessageBytes"/>. Batches are sent in the order given.
/// </summary>
internal sealed class BatchSender(Func<AtomBatch, Task<int>> send, int batchBytes, int inFlight, Action<long, long>? acknowledged, CancellationToken cancellationToken)
{
    // After a failure, how long to wait for the batches already sent so the counts of what was applied are exact.
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(3);

    private readonly Queue<(Task<int> Added, EncodedAtomWriter Batch)> _inFlight = new();
    private EncodedAtomWriter? _gathered;

    // Atoms given to the sender so far (an oversized one is named by its place in the load).
    private long _atomsQueued;

    /// <summary>Atoms acknowledged by the grain (applied and, in a durable space, durable).</summary>
    public long AtomsAcknowledged { get; private set; }

    /// <summary>Of those, how many were new to the space.</summary>
    public long AtomsAdded { get; private set; }

    /// <summary>Sends <paramref name="batch"/>, which becomes the sender's (the caller must not use or return it).</summary>
    public async Task AddAsync(EncodedAtomWriter batch)
    {
        for (var i = 0; i < batch.AtomCount; i++)
        {
            var length = batch.AtomLength(i);
            if (length > SpaceLimits.MaxAtomBytes)
            {
                WriterPool.Return(batch);
                throw new OversizedAtomException(
                    $"atom {_atomsQueued + i} encodes to {length:N0} bytes, more than the {SpaceLimits.MaxAtomBytes:N0} a space accepts for one atom; it and the atoms after it were not sent")
                { Limit = SpaceLimits.MaxAtomBytes };
            }
        }

        _atomsQueued += batch.AtomCount;
        if (batch.Length < batchBytes / 8 || batch.Length > 2L * batchBytes)
        {
            // Too small to be a message of its own, or larger than a message should be: its atoms join
            // the gathered message, which is sent whenever it reaches batchBytes.
            await GatherAsync(batch).ConfigureAwait(false);
            return;
        }

        await FlushGatheredAsync().ConfigureAwait(false);
        await SendAsync(batch).ConfigureAwait(false);
    }

    /// <summary>Sends what is left and waits for every batch to be acknowledged.</summary>
    public async Task CompleteAsync()
    {
        await FlushGatheredAsync().ConfigureAwait(false);
        while (_inFlight.Count > 0)
        {
            await AcknowledgeOldestAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// After a failure: waits three seconds at most for the batches already sent (so
    /// <see cref="AtomsAcknowledged"/> says what was applied), and leaves none running unobserved.
    /// </summary>
    public async Task AbandonAsync()
    {
        if (_gathered is not null)
        {
            WriterPool.Return(_gathered);
            _gathered = null;
        }

        var deadline = Task.Delay(SettleTimeout, CancellationToken.None);
        while (_inFlight.TryDequeue(out var sent))
        {
            if (await Task.WhenAny(sent.Added, deadline).ConfigureAwait(false) == deadline)
            {
                // Still on its way: its buffer may still be read, so it is left to the garbage collector.
                _ = sent.Added.ContinueWith(t => t.Exception, TaskScheduler.Default);
                continue;
            }

            if (sent.Added.IsCompletedSuccessfully)
            {
                AtomsAcknowledged += sent.Batch.AtomCount;
                AtomsAdded += sent.Added.Result;
                WriterPool.Return(sent.Batch);
            }

            // A failed batch: the first failure is the one the caller sees; later ones are consequences.
            _ = sent.Added.Exception;
        }
    }

    /// <summary>Copies the atoms of a small or an oversized batch into the gathered message, sending it whenever it fills.</summary>
    private async Task GatherAsync(EncodedAtomWriter batch)
    {
        for (var i = 0; i < batch.AtomCount; i++)
        {
            if (_gathered is { AtomCount: > 0 } full && full.Length + batch.AtomLength(i) > batchBytes)
            {
                await FlushGatheredAsync().ConfigureAwait(false);
            }

            (_gathered ??= WriterPool.Rent()).AppendAtom(batch.Atom(i));
        }

        WriterPool.Return(batch);
    }

    private async Task FlushGatheredAsync()
    {
        if (_gathered is { } gathered)
        {
            _gathered = null;
            await SendAsync(gathered).ConfigureAwait(false);
        }
    }

    private async Task SendAsync(EncodedAtomWriter batch)
    {
        while (_inFlight.Count >= inFlight)
        {
            await AcknowledgeOldestAsync().ConfigureAwait(false);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            WriterPool.Return(batch);
            cancellationToken.ThrowIfCancellationRequested();
        }

        _inFlight.Enqueue((send(new AtomBatch(batch.WrittenMemory, batch.AtomCount)), batch));
    }

    private async Task AcknowledgeOldestAsync()
    {
        var (added, batch) = _inFlight.Peek();
        var newAtoms = await added.WaitAsync(cancellationToken).ConfigureAwait(false);
        _inFlight.Dequeue();
        AtomsAdded += newAtoms;
        AtomsAcknowledged += batch.AtomCount;

        // Acknowledged, so the message was serialised long ago: the buffer is free again.
        WriterPool.Return(batch);
        acknowledged?.Invoke(AtomsAcknowledged, AtomsAdded);
    }
}
