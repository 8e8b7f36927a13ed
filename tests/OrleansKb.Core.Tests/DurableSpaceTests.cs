using OrleansKb.Codec;
using OrleansKb.Persistence;
using OrleansKb.Spaces;
using OrleansKb.Text;

namespace OrleansKb.Tests;

/// <summary>A space kept in a store (<see cref="DurableSpace"/>, docs/durability.md), without a cluster.</summary>
public sealed class DurableSpaceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("orleanskb-durable-").FullName;
    private readonly RecordingObserver _observer = new();
    private FileSpaceStore? _store;

    public void Dispose()
    {
        _store?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static byte[] Batch(string text) => [.. MettaReader.Parse(text).SelectMany(AtomEncoder.Encode)];

    private static string Facts(int from, int count) => string.Join(' ', Enumerable.Range(from, count).Select(i => $"(parent P{i} Bob)"));

    /// <summary>The space in a data directory, as the next activation after a crash finds it.</summary>
    private Task<DurableSpace> OpenFile(long snapshotLogBytes = 1L << 30)
    {
        _store?.Dispose();
        _store = new FileSpaceStore(_directory);
        return DurableSpace.OpenAsync("space", _store, snapshotLogBytes, _observer);
    }

    private string Segment() => Directory.GetFiles(Path.Combine(_directory, "spaces", "space"), "log-*.seg").Single();

    [Fact]
    public async Task A_batch_that_changes_nothing_appends_nothing_and_a_change_logs_only_what_it_changed()
    {
        var space = await OpenFile();
        Assert.Equal(1000, await space.AddFactsAsync(Batch(Facts(0, 1000))));
        var logged = space.Stats.LogBytes;

        // Loaded again: nothing new, nothing logged; removing what is absent likewise.
        Assert.Equal(0, await space.AddFactsAsync(Batch(Facts(0, 1000))));
        Assert.Equal(0, await space.RemoveAsync(Batch("(absent) (parent Nobody Bob)")));
        Assert.Equal(logged, space.Stats.LogBytes);

        // Half new: the record holds the new half only; a remove, the present atoms only.
        Assert.Equal(500, await space.AddFactsAsync(Batch(Facts(500, 1000))));
        Assert.Equal(logged + LogSegmentFormat.RecordBytes(Batch(Facts(1000, 500)).Length), space.Stats.LogBytes);
        Assert.Equal(1, await space.RemoveAsync(Batch("(absent) (parent P3 Bob) (parent P3 Bob)")));
        Assert.Equal(logged + LogSegmentFormat.RecordBytes(Batch(Facts(1000, 500)).Length) + LogSegmentFormat.RecordBytes(Batch("(parent P3 Bob)").Length), space.Stats.LogBytes);
        var live = space.Atoms.Dump();
        await space.DisposeAsync();

        var recovered = await OpenFile();
        Assert.Equal(live, recovered.Atoms.Dump());
        Assert.Equal(1499, recovered.Atoms.Count);
    }

    [Fact]
    public async Task A_batch_that_changes_nothing_is_acknowledged_only_once_the_changes_before_it_are_durable()
    {
        var store = new GatedSpaceStore();
        var space = await DurableSpace.OpenAsync("space", store, 1L << 30, _observer);

        var first = space.AddFactsAsync(Batch("(a 1) (a 2)"));
        var again = space.AddFactsAsync(Batch("(a 2)"));

        Assert.Single(store.Appended);
        Assert.False(again.IsCompleted);
        store.MakeDurable();
        Assert.Equal((2, 0), (await first, await again));
    }

    [Fact]
    public async Task After_its_store_fails_a_space_refuses_every_change_and_tells_its_host_once()
    {
        var store = new GatedSpaceStore();
        var space = await DurableSpace.OpenAsync("space", store, 1L << 30, _observer);
        var pending = space.AddFactsAsync(Batch("(a 1)"));
        store.Fail(new IOException("disk full"));

        var failed = await Assert.ThrowsAsync<StoreFailedException>(() => pending);
        var refused = await Assert.ThrowsAsync<StoreFailedException>(() => space.AddFactsAsync(Batch("(a 2)")));

        Assert.Equal("space 'space' could not make a change durable (disk full); the change was not acknowledged, and the space will recover what is durable", failed.Message);
        Assert.Equal(failed.Message, refused.Message);
        Assert.Equal(["store failed: disk full"], _observer.Events);
        Assert.Single(store.Appended);
    }

    [Fact]
    public async Task A_malformed_batch_is_refused_with_nothing_applied_or_logged()
    {
        var store = new GatedSpaceStore();
        var space = await DurableSpace.OpenAsync("space", store, 1L << 30, _observer);
        var batch = Batch("(a 1) (a 2)");

        await Assert.ThrowsAsync<MalformedEncodingException>(() => space.AddFactsAsync(batch.AsMemory(0, batch.Length - 1)));
        await Assert.ThrowsAsync<ArgumentException>(() => space.AddRulesAsync(Batch("(= (f $x) 1) (not a rule)")));

        Assert.Equal(0, space.Atoms.Count);
        Assert.Empty(store.Appended);
    }

    [Fact]
    public async Task A_last_segment_cut_short_is_told_with_its_file_and_bytes_and_shown_in_the_figures()
    {
        var space = await OpenFile();
        await space.AddFactsAsync(Batch(Facts(0, 10)));
        await space.AddFactsAsync(Batch(Facts(10, 10)));
        await space.DisposeAsync();
        var segment = Segment();
        var whole = File.ReadAllBytes(segment);
        File.WriteAllBytes(segment, whole[..^100]);

        var recovered = await OpenFile();

        var kept = whole.Length - 100 - (8 + LogSegmentFormat.RecordBytes(Batch(Facts(0, 10)).Length));
        Assert.Equal(10, recovered.Atoms.Count);
        Assert.Equal(kept, recovered.TornTailBytes);
        Assert.Equal($"torn tail of {kept} bytes kept in {segment}.torn-{whole.Length - 100 - kept}", _observer.Events[^2]);
        Assert.Equal("recovered 10 atoms, 0 from the snapshot, 1 records", _observer.Events[^1]);
    }

    [Fact]
    public async Task A_clear_leaves_almost_no_log_and_what_follows_it_is_recovered()
    {
        var space = await OpenFile();
        await space.AddFactsAsync(Batch(Facts(0, 5000)));
        await space.SnapshotAsync();
        await space.AddFactsAsync(Batch(Facts(5000, 5000)));

        Assert.Equal(10_000, await space.ClearAsync());
        await space.AddFactsAsync(Batch("(after clear)"));

        Assert.InRange(space.Stats.LogBytes, 1, 128);
        await space.DisposeAsync();
        Assert.Equal("(after clear)\n", (await OpenFile()).Atoms.Dump());
    }

    [Fact]
    public async Task A_snapshot_starts_by_itself_once_the_log_has_grown_enough_and_recovery_starts_from_it()
    {
        var space = await OpenFile(snapshotLogBytes: 1024);
        await space.AddFactsAsync(Batch(Facts(0, 100)));

        // The background snapshot: SnapshotAsync waits for it, and finds it covers every change.
        await space.SnapshotAsync();
        Assert.Equal(["snapshot of 100 atoms at 1"], _observer.Events);
        await space.AddFactsAsync(Batch("(after snapshot)"));
        await space.DisposeAsync();

        var recovered = await OpenFile();
        Assert.Equal(101, recovered.Atoms.Count);
        Assert.Equal("recovered 101 atoms, 100 from the snapshot, 1 records", _observer.Events[^1]);
    }

    [Fact]
    public async Task The_argument_index_catches_up_only_once_changes_have_paused()
    {
        var time = new ManualTime();
        var space = await DurableSpace.OpenAsync("space", new MemorySpaceStore(), 1L << 30, _observer, time);
        Assert.True(space.CatchUpIndex());

        // A load leaves the index behind; it catches up once no change has come for a moment.
        await space.AddFactsAsync(Batch(Facts(0, 20_000)));
        Assert.False(space.Atoms.IndexIsComplete);
        Assert.False(space.CatchUpIndex());
        Assert.False(space.Atoms.IndexIsComplete);

        time.Advance(TimeSpan.FromSeconds(1));
        while (!space.CatchUpIndex())
        {
        }

        Assert.True(space.Atoms.IndexIsComplete);
    }
}
