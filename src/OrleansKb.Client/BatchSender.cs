using OrleansKb.Codec;

namespace OrleansKb.Client;

/// <summary>
/// Sends encoded atoms to a grain as batches of about <c>batchBytes</c>, one message per batch, with
/// at most <c>inFlight</c> batches unacknowledged: the caller goes on encoding while earlier
/// batches travel and are inserted. Refuses an atom larger than <see cref="SpaceLimits.MaxAtomBytes"/>
/// before it is sent, so no message ever exceeds <see cref="SpaceLimits.MaxMessageBytes"/>.
/// </summary>
internal sealed class BatchSender(Func<AtomBatch, Task<int>> send, int batchBytes, int inFlight, Action<long, long>? acknowledged, CancellationToken cancellationToken)
{
    // After a failure, how long to wait for the batches already sent so the counts of what was applied are exact.
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(3);

    private readonly Queue<(Task<int> Added, int Count)> _inFlight = new();
    private readonly EncodedAtomWriter _batch = new(Math.Min(batchBytes, 1 << 20));

    /// <summary>Atoms given to the sender so far.</summary>
    public long AtomsQueued { get; private set; }

    /// <summary>Atoms acknowledged by the grain.</summary>
    public long AtomsAcknowledged { get; private set; }

    /// <summary>Of those, how many were new to the space.</summary>
    public long AtomsAdded { get; private set; }

    /// <summary>Adds each atom of <paramref name="encoded"/> to the current batch, sending batches as they fill.</summary>
    public async Task AddAsync(EncodedAtomWriter encoded)
    {
        for (var i = 0; i < encoded.AtomCount; i++)
        {
            var length = encoded.AtomLength(i);
            if (length > SpaceLimits.MaxAtomBytes)
            {
                throw new OversizedAtomException(
                    $"atom {AtomsQueued} encodes to {length:N0} bytes, more than the {SpaceLimits.MaxAtomBytes:N0} a space accepts for one atom; it and the atoms after it were not sent")
                { Limit = SpaceLimits.MaxAtomBytes };
            }

            if (_batch.AtomCount > 0 && _batch.Length + length > batchBytes)
            {
                await FlushAsync().ConfigureAwait(false);
            }

            _batch.AppendAtom(encoded.Atom(i));
            AtomsQueued++;
        }
    }

    /// <summary>Sends what is left and waits for every batch to be acknowledged.</summary>
    public async Task CompleteAsync()
    {
        await FlushAsync().ConfigureAwait(false);
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
        var deadline = Task.Delay(SettleTimeout, CancellationToken.None);
        while (_inFlight.TryDequeue(out var sent))
        {
            if (await Task.WhenAny(sent.Added, deadline).ConfigureAwait(false) == deadline)
            {
                _ = sent.Added.ContinueWith(t => t.Exception, TaskScheduler.Default);
                continue;
            }

            if (sent.Added.IsCompletedSuccessfully)
            {
                AtomsAcknowledged += sent.Count;
                AtomsAdded += sent.Added.Result;
            }

            // A failed batch: the first failure is the one the caller sees; later ones are consequences.
            _ = sent.Added.Exception;
        }
    }

    private async Task FlushAsync()
    {
        if (_batch.AtomCount == 0)
        {
            return;
        }

        while (_inFlight.Count >= inFlight)
        {
            await AcknowledgeOldestAsync().ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();

        // A copy per message: the batch buffer is reused while this one is still being sent.
        var message = new AtomBatch(_batch.ToArray(), _batch.AtomCount);
        _inFlight.Enqueue((send(message), message.Count));
        _batch.Clear();
    }

    private async Task AcknowledgeOldestAsync()
    {
        var (added, count) = _inFlight.Peek();
        var newAtoms = await added.WaitAsync(cancellationToken).ConfigureAwait(false);
        _inFlight.Dequeue();
        AtomsAdded += newAtoms;
        AtomsAcknowledged += count;
        acknowledged?.Invoke(AtomsAcknowledged, AtomsAdded);
    }
}
