using OrleansKb.Client;
using OrleansKb.Codec;
using OrleansKb.Spaces;

namespace OrleansKb.Cluster.Tests;

/// <summary>The client's sender on its own: what goes into each message, in what order, and when a buffer is free again.</summary>
public sealed class BatchSenderTests
{
    private const int BatchBytes = 4096;

    private static EncodedAtomWriter Batch(int first, int count, int symbolBytes = 8)
    {
        var writer = WriterPool.Rent();
        for (var i = first; i < first + count; i++)
        {
            AtomEncoder.Append(Atoms.Atom.Symbol($"s{i.ToString("D" + (symbolBytes - 1), System.Globalization.CultureInfo.InvariantCulture)}"), writer);
        }

        return writer;
    }

    private static List<string> Symbols(AtomBatch batch)
    {
        var symbols = new List<string>();
        foreach (var key in new EncodedItems(batch.Bytes.Span))
        {
            symbols.Add(((Atoms.SymbolAtom)AtomDecoder.Decode(key)).Name);
        }

        return symbols;
    }

    [Fact]
    public async Task Small_batches_are_gathered_a_large_one_travels_as_it_is_and_the_order_is_kept()
    {
        var sent = new List<(AtomBatch Batch, List<string> Symbols)>();
        var sender = new BatchSender(batch => { sent.Add((batch, Symbols(batch))); return Task.FromResult(batch.Count); }, BatchBytes, 4, null, CancellationToken.None);

        // 10 atoms of 9 bytes each: small, gathered; then 1,000 bytes: more than an eighth, sent as given.
        await sender.AddAsync(Batch(0, 10));
        await sender.AddAsync(Batch(10, 10));
        var large = Batch(20, 111);
        var largeBytes = large.WrittenMemory;
        await sender.AddAsync(large);
        await sender.AddAsync(Batch(131, 5));
        await sender.CompleteAsync();

        Assert.Equal(3, sent.Count);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"s{i:D7}"), sent[0].Symbols);
        Assert.True(sent[1].Batch.Bytes.Span == largeBytes.Span, "a batch that is large enough is sent without a copy");
        Assert.Equal(Enumerable.Range(20, 111).Select(i => $"s{i:D7}"), sent[1].Symbols);
        Assert.Equal(Enumerable.Range(131, 5).Select(i => $"s{i:D7}"), sent[2].Symbols);
        Assert.Equal(136, sender.AtomsAcknowledged);
        Assert.Equal(136, sender.AtomsAdded);
    }

    [Fact]
    public async Task A_batch_over_twice_the_batch_size_is_cut_into_messages_of_about_the_batch_size()
    {
        var sent = new List<List<string>>();
        var sender = new BatchSender(batch => { sent.Add(Symbols(batch)); return Task.FromResult(batch.Count); }, BatchBytes, 2, null, CancellationToken.None);

        await sender.AddAsync(Batch(0, 1000));
        await sender.CompleteAsync();

        Assert.True(sent.Count >= 2);
        Assert.All(sent, message => Assert.True(message.Count * 9 <= BatchBytes));
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"s{i:D7}"), sent.SelectMany(m => m));
    }

    [Fact]
    public async Task No_more_than_the_batches_in_flight_are_unacknowledged_and_counts_follow_the_acknowledgements()
    {
        var pending = new List<TaskCompletionSource<int>>();
        var sender = new BatchSender(
            batch =>
            {
                var answer = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
                pending.Add(answer);
                return answer.Task;
            },
            BatchBytes, 2, null, CancellationToken.None);

        await sender.AddAsync(Batch(0, 200));
        await sender.AddAsync(Batch(200, 200));
        var third = sender.AddAsync(Batch(400, 200));
        Assert.Equal(2, pending.Count);
        Assert.False(third.IsCompleted);
        Assert.Equal(0, sender.AtomsAcknowledged);

        pending[0].SetResult(150);
        await third;
        Assert.Equal(3, pending.Count);
        Assert.Equal(200, sender.AtomsAcknowledged);
        Assert.Equal(150, sender.AtomsAdded);

        pending[1].SetResult(200);
        pending[2].SetResult(0);
        await sender.CompleteAsync();
        Assert.Equal(600, sender.AtomsAcknowledged);
        Assert.Equal(350, sender.AtomsAdded);
    }
}
