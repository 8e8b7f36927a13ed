using OrleansKb.Atoms;
using OrleansKb.Codec;
using OrleansKb.Persistence;
using OrleansKb.Persistence.Postgres;
using OrleansKb.Spaces;
using OrleansKb.Text;
using OrleansKb.Workloads;

namespace OrleansKb.Tests;

/// <summary>The stores (docs/durability.md): log, group commit, snapshots, recovery, damage, epochs, the data directory's lock.</summary>
public sealed class StoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("orleanskb-store-").FullName;
    private readonly List<FileSpaceStore> _stores = [];
    private readonly List<PostgresSpaceStore> _postgresStores = [];
    private string? _postgresSchema;

    public void Dispose()
    {
        _stores.ForEach(store => store.Dispose());
        _postgresStores.ForEach(store => store.Dispose());
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>A PostgreSQL store in this test's own schema; each call is a new store on the same tables, as another silo's would be.</summary>
    private PostgresSpaceStore PostgresStore()
    {
        _postgresSchema ??= TestServices.NewPostgresSchema();
        var store = new PostgresSpaceStore(_postgresSchema);
        _postgresStores.Add(store);
        return store;
    }

    private FileSpaceStore FileStore(long segmentBytes = FileSpaceStore.DefaultSegmentBytes)
    {
        var store = new FileSpaceStore(_directory, segmentBytes);
        _stores.Add(store);
        return store;
    }

    /// <summary>The files of the space named <c>space</c> that match a pattern.</summary>
    private string[] SpaceFiles(string pattern) => Directory.GetFiles(Path.Combine(_directory, "spaces", "space"), pattern);

    /// <summary>Closes the data directory, as a crash does (the lock goes with the process).</summary>
    private void Crash()
    {
        _stores.ForEach(store => store.Dispose());
        _stores.Clear();
    }

    private static byte[] Batch(IEnumerable<Atom> atoms)
    {
        var writer = new EncodedAtomWriter();
        foreach (var atom in atoms)
        {
            AtomEncoder.Append(atom, writer);
        }

        return writer.ToArray();
    }

    private static byte[] Batch(string text) => Batch(MettaReader.Parse(text));

    private static string Rules(AtomSpace environment, string head, int arity) =>
        string.Join('\n', environment.MatchingRules(head, arity).Select(MettaPrinter.Print));

    private static async Task<(AtomSpace Space, IStoredSpace Stored, long Last)> Open(ISpaceStore store, string space)
    {
        var environment = new AtomSpace();
        var stored = await store.OpenAsync(space);
        var recovery = environment.StartRecovery();
        var last = await stored.RecoverAsync(recovery);
        recovery.Finish();
        return (environment, stored, last);
    }

    /// <summary>What a durable space does with a change: validate, apply, append what changed; the task completes when it is durable.</summary>
    private static Task Change(AtomSpace environment, IStoredSpace stored, ref long sequence, LogOperation operation, byte[] atoms)
    {
        using var change = environment.Validate(operation, atoms);
        change.Apply();
        return stored.Append(new LogRecord(++sequence, operation, change.Atoms));
    }

    public static TheoryData<string> Stores => new() { "file", "memory log", "postgres" };

    private ISpaceStore Store(string kind) => kind switch
    {
        "file" => FileStore(),
        "postgres" => PostgresStore(),
        _ => new MemoryLogSpaceStore(),
    };

    /// <summary>The store as the next activation finds it: the file store after a crash, a new PostgreSQL store (another silo's), the same memory log store.</summary>
    private ISpaceStore Reopened(string kind, ISpaceStore store) => kind switch
    {
        "file" => ReopenedFileStore(),
        "postgres" => PostgresStore(),
        _ => store,
    };

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Recovery_gives_back_every_durable_change_in_order(string kind)
    {
        var store = Store(kind);
        var (live, stored, sequence) = await Open(store, "space");
        var pending = new List<Task>
        {
            Change(live, stored, ref sequence, LogOperation.AddFacts, Batch(Royal92ShapedFacts.Generate(3000))),
            Change(live, stored, ref sequence, LogOperation.AddRules, Batch("(= (f $x) (g $x)) (= ($h $y) 1) (= (f a) b)")),
            Change(live, stored, ref sequence, LogOperation.Remove, Batch(Royal92ShapedFacts.Generate(1000))),
            Change(live, stored, ref sequence, LogOperation.AddRules, Batch("(= (f $z) (k $z)) (= (f $x) (g $x))")),
        };
        await Task.WhenAll(pending);
        await stored.DisposeAsync();

        var (recovered, _, last) = await Open(Reopened(kind, store), "space");

        Assert.Equal(4, last);
        Assert.Equal(live.Dump(), recovered.Dump());
        Assert.Equal(Rules(live, "f", 1), Rules(recovered, "f", 1));
        Assert.Equal("(= (f $x0) (g $x0))\n(= (f a) b)\n(= (f $x0) (k $x0))\n(= ($x0 $x1) 1)", Rules(recovered, "f", 1));
    }

    [Theory]
    [InlineData("file")]
    [InlineData("postgres")]
    public async Task What_recovering_a_space_reads_is_known_without_opening_it_and_silos_share_their_memory_reports(string kind)
    {
        var store = Store(kind);
        var name = $"space-{Guid.NewGuid():N}";
        Assert.Equal(0, await store.RecoveryBytesOfAsync(name));
        var (live, stored, sequence) = await Open(store, name);
        await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch(Royal92ShapedFacts.Generate(3000)));
        var bytes = await store.RecoveryBytesOfAsync(name);
        Assert.True(bytes > 3000 * 20, $"{bytes} bytes");
        Assert.Equal(await stored.RecoveryBytesAsync(), bytes);

        // Asking did not open the space: its activation still writes.
        await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch("(after asking)"));
        Assert.True(await store.RecoveryBytesOfAsync(name) > bytes);
        await stored.DisposeAsync();

        var (a, b) = ($"a-{Guid.NewGuid():N}", $"b-{Guid.NewGuid():N}");
        await store.ReportSiloMemoryAsync(new SiloMemoryReport(a, 1000, 850, 100, DateTimeOffset.UnixEpoch));
        await store.ReportSiloMemoryAsync(new SiloMemoryReport(b, 2000, 1700, 900, DateTimeOffset.UnixEpoch));
        await store.ReportSiloMemoryAsync(new SiloMemoryReport(a, 1000, 850, 400, DateTimeOffset.UnixEpoch));
        var reports = (await store.SiloMemoryReportsAsync(TimeSpan.FromSeconds(10))).Where(report => report.Silo == a || report.Silo == b).OrderBy(report => report.Silo).ToList();

        // The latest report of each silo, stamped by the store's clock (not the silo's).
        Assert.Equal([450, 800], reports.Select(report => report.Headroom));
        Assert.All(reports, report => Assert.True(report.At > DateTimeOffset.UtcNow.AddMinutes(-1), $"{report.At}"));
        await Task.Delay(200);
        Assert.DoesNotContain(await store.SiloMemoryReportsAsync(TimeSpan.FromMilliseconds(100)), report => report.Silo == a || report.Silo == b);
    }

    private FileSpaceStore ReopenedFileStore()
    {
        Crash();
        return FileStore();
    }

    [Theory]
    [InlineData("file")]
    [InlineData("postgres")]
    public async Task Appends_made_during_a_flush_share_the_next_one_and_all_survive(string kind)
    {
        var store = Store(kind);
        var (live, stored, sequence) = await Open(store, "space");

        // A thousand appends without waiting: the flusher takes what has arrived each time.
        var batches = Enumerable.Range(0, 1000).Select(i => Batch($"(n {i})")).ToList();
        var pending = batches.Select(batch => Change(live, stored, ref sequence, LogOperation.AddFacts, batch)).ToList();
        await Task.WhenAll(pending);
        Assert.InRange(stored is FileStoredSpace file ? file.Flushes : ((PostgresStoredSpace)stored).Flushes, 1, 999);
        await stored.DisposeAsync();

        var (recovered, _, last) = await Open(Reopened(kind, store), "space");
        Assert.Equal(1000, last);
        Assert.Equal(1000, recovered.Count);
    }

    [Fact]
    public async Task A_torn_last_record_is_cut_off_and_the_log_goes_on_after_it()
    {
        var (live, stored, sequence) = await Open(FileStore(), "space");
        await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch("(a 1) (a 2)"));
        await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch("(a 3)"));
        Crash();
        var segment = SpaceFiles("log-*.seg").Single();
        var whole = File.ReadAllBytes(segment);

        // The crash cut the last record short: only part of its head reached the disk …
        File.WriteAllBytes(segment, [.. whole, .. whole[8..20]]);
        var (recovered, stored2, last) = await Open(FileStore(), "space");
        Assert.Equal(2, last);
        Assert.Equal(3, recovered.Count);
        Assert.Equal(whole.Length, new FileInfo(segment).Length);
        Crash();

        // … or its head whole and its atoms not: cut off too, and kept aside for whoever wants to look.
        var third = new byte[LogSegmentFormat.RecordBytes(Batch("(a 3.5)").Length)];
        LogSegmentFormat.Write(new LogRecord(3, LogOperation.AddFacts, Batch("(a 3.5)")), third);
        File.WriteAllBytes(segment, [.. whole, .. third[..^6]]);
        (recovered, stored2, last) = await Open(FileStore(), "space");
        Assert.Equal(2, last);
        Assert.Equal(whole.Length, new FileInfo(segment).Length);
        Assert.Equal(third[..^6], File.ReadAllBytes($"{segment}.torn-{whole.Length}"));

        // … and after the cut, new records follow on.
        await Change(recovered, stored2, ref last, LogOperation.AddFacts, Batch("(a 4)"));
        Crash();
        Assert.Equal(4, (await Open(FileStore(), "space")).Space.Count);

        // Zeros where a write never landed are cut off too.
        Crash();
        File.WriteAllBytes(segment, [.. File.ReadAllBytes(segment), .. new byte[4096]]);
        Assert.Equal(4, (await Open(FileStore(), "space")).Space.Count);
    }

    [Fact]
    public async Task A_damaged_record_in_the_middle_of_the_log_stops_recovery_naming_file_and_offset()
    {
        var (live, stored, sequence) = await Open(FileStore(), "space");
        await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch("(a 1) (a 2)"));
        await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch("(a 3)"));
        Crash();
        var segment = SpaceFiles("log-*.seg").Single();
        var bytes = File.ReadAllBytes(segment);
        bytes[8 + 30] ^= 0x01;
        File.WriteAllBytes(segment, bytes);

        var error = await Assert.ThrowsAsync<StoreCorruptedException>(() => Open(FileStore(), "space"));

        Assert.Equal($"{segment}: the record at offset 8 fails its checksum", error.Message);
    }

    [Fact]
    public async Task A_damaged_length_in_the_last_segment_is_damage_not_a_torn_tail()
    {
        var (live, stored, sequence) = await Open(FileStore(), "space");
        for (var i = 0; i < 3; i++)
        {
            await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch($"(a {i})"));
        }

        Crash();
        var segment = SpaceFiles("log-*.seg").Single();
        var bytes = File.ReadAllBytes(segment);
        var second = 8 + LogSegmentFormat.RecordBytes(Batch("(a 0)").Length);
        bytes[second + 3] ^= 0x40;
        File.WriteAllBytes(segment, bytes);

        var error = await Assert.ThrowsAsync<StoreCorruptedException>(() => Open(FileStore(), "space"));

        Assert.Equal($"{segment}: the record head at offset {second} fails its checksum", error.Message);
        Assert.Equal(bytes.Length, new FileInfo(segment).Length);
    }

    [Fact]
    public async Task A_snapshot_ahead_of_its_log_still_recovers_and_the_log_goes_on_in_a_new_segment()
    {
        var (live, stored, sequence) = await Open(FileStore(), "space");
        await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch("(a 1)"));
        await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch("(a 2)"));
        await SpaceCheckpoint.Begin(live, stored, sequence).WriteAsync();
        Crash();

        // The log loses its last record (as if its flush had not finished when the snapshot was published).
        var segment = SpaceFiles("log-*.seg").Single();
        var bytes = File.ReadAllBytes(segment);
        File.WriteAllBytes(segment, bytes[..(8 + LogSegmentFormat.RecordBytes(Batch("(a 1)").Length))]);
        var (recovered, stored2, last) = await Open(FileStore(), "space");
        Assert.Equal((2L, 2L), (last, recovered.Count));

        await Change(recovered, stored2, ref last, LogOperation.AddFacts, Batch("(a 3)"));
        Crash();
        Assert.Equal(3, (await Open(FileStore(), "space")).Space.Count);
    }

    [Fact]
    public async Task Two_snapshots_of_the_same_record_do_not_touch_each_other()
    {
        var (live, stored, sequence) = await Open(FileStore(), "space");
        await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch(Royal92ShapedFacts.Generate(20_000)));

        var first = SpaceCheckpoint.Begin(live, stored, sequence);
        var second = SpaceCheckpoint.Begin(live, stored, sequence);
        await Task.WhenAll(Task.Run(() => first.WriteAsync()), Task.Run(() => second.WriteAsync()));
        Crash();

        Assert.Equal(20_000, (await Open(FileStore(), "space")).Space.Count);
        Assert.Empty(SpaceFiles("*.tmp"));
    }

    [Fact]
    public async Task A_damaged_snapshot_chunk_stops_recovery_naming_file_and_offset()
    {
        var (live, stored, sequence) = await Open(FileStore(), "space");
        await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch(Royal92ShapedFacts.Generate(50_000)));
        await SpaceCheckpoint.Begin(live, stored, sequence).WriteAsync();
        Crash();
        var snapshot = SpaceFiles("*.snap").Single();
        var bytes = File.ReadAllBytes(snapshot);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(snapshot, bytes);

        var error = await Assert.ThrowsAsync<StoreCorruptedException>(() => Open(FileStore(), "space"));

        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(snapshot)}: the chunk at offset [0-9,]+ fails its checksum$", error.Message);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_snapshot_taken_while_the_space_changes_plus_the_log_after_it_is_exactly_the_live_space(string kind)
    {
        var store = Store(kind);
        var (live, stored, sequence) = await Open(store, "space");
        var random = new Random(5);
        var facts = Royal92ShapedFacts.Generate(60_000);
        var rules = GeneratedRules.Generate(3000);
        await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch(facts.Take(40_000)));
        await Change(live, stored, ref sequence, LogOperation.AddRules, Batch(rules.Take(2000)));

        // The snapshot's pages are read while other threads add and remove facts and rules.
        var checkpoint = SpaceCheckpoint.Begin(live, stored, sequence);
        var writing = Task.Run(() => checkpoint.WriteAsync());
        var appended = new List<Task>();
        for (var round = 0; !writing.IsCompleted || round < 50; round++)
        {
            var batch = random.Next(4) switch
            {
                0 => (LogOperation.Remove, Batch(facts.Skip(random.Next(40_000)).Take(500))),
                1 => (LogOperation.AddRules, Batch(rules.Skip(random.Next(3000)).Take(20))),
                2 => (LogOperation.Remove, Batch(rules.Skip(random.Next(3000)).Take(20))),
                _ => (LogOperation.AddFacts, Batch(facts.Skip(random.Next(60_000)).Take(500))),
            };
            appended.Add(Change(live, stored, ref sequence, batch.Item1, batch.Item2));
            await Task.Yield();
        }

        await writing;
        await Task.WhenAll(appended);
        await stored.DisposeAsync();

        var (recovered, _, last) = await Open(Reopened(kind, store), "space");

        Assert.Equal(sequence, last);
        Assert.Equal(live.Count, recovered.Count);
        Assert.Equal(live.Dump(), recovered.Dump());
        foreach (var (head, arity) in new[] { ("rule", 1), ("rule", 2), ("f", 1) })
        {
            Assert.Equal(Rules(live, head, arity), Rules(recovered, head, arity));
        }
    }

    [Fact]
    public async Task Snapshots_drop_the_log_the_older_one_covers_and_clear_survives_recovery()
    {
        var store = FileStore(segmentBytes: 64 << 10);
        var (live, stored, sequence) = await Open(store, "space");
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 20; i++)
            {
                await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch(Royal92ShapedFacts.Generate(500, seed: (round * 100) + i)));
            }

            await SpaceCheckpoint.Begin(live, stored, sequence).WriteAsync();
        }

        Assert.Equal(2, SpaceFiles("*.snap").Length);
        Assert.Equal(live.Count, stored.Stats.SnapshotAtoms);
        Assert.Equal(sequence, stored.Stats.SnapshotSequence);
        var logBefore = stored.Stats.LogBytes;
        Assert.True(logBefore < 40 * 500 * 60, $"{logBefore} bytes of log kept");
        Assert.Equal(SpaceFiles("*.seg").Sum(f => new FileInfo(f).Length), logBefore);

        await Change(live, stored, ref sequence, LogOperation.Clear, []);
        await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch("(after clear)"));
        Crash();
        var (recovered, _, _) = await Open(FileStore(), "space");
        Assert.Equal("(after clear)\n", recovered.Dump());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_clear_drops_the_log_and_the_snapshots_before_it(string kind)
    {
        var store = Store(kind);
        var (live, stored, sequence) = await Open(store, "space");
        for (var seed = 0; seed < 2; seed++)
        {
            await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch(Royal92ShapedFacts.Generate(5000, seed)));
            await SpaceCheckpoint.Begin(live, stored, sequence).WriteAsync();
        }

        await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch("(in the log only)"));
        await Change(live, stored, ref sequence, LogOperation.Clear, []);

        // At most the clear's own record (and its segment's header) is left.
        Assert.InRange(stored.Stats.LogBytes, 0, 64);
        Assert.Equal(0, stored.Stats.SnapshotAtoms);
        if (kind == "file")
        {
            Assert.Equal(stored.Stats.LogBytes, SpaceFiles("*.seg").Sum(f => new FileInfo(f).Length));
            Assert.Single(SpaceFiles("*.snap"));
        }

        await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch("(after clear)"));
        await stored.DisposeAsync();
        var (recovered, _, last) = await Open(Reopened(kind, store), "space");
        Assert.Equal((sequence, "(after clear)\n"), (last, recovered.Dump()));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_partition_map_written_is_the_next_activations_and_an_older_activation_may_not_write_one(string kind)
    {
        var store = Store(kind);
        var (_, stored, _) = await Open(store, "space");
        Assert.Null(stored.Partitions);
        await stored.WritePartitionsAsync(new PartitionMap(1, [0, 1], [[0x10]]));
        var map = new PartitionMap(2, [0, 3, 1], [[0x08], [0x10, 0x20]]);
        await stored.WritePartitionsAsync(map);
        await stored.DisposeAsync();

        var next = Reopened(kind, store);
        var (_, reopened, _) = await Open(next, "space");
        var (_, other, _) = await Open(next, "other space");

        Assert.NotNull(reopened.Partitions);
        Assert.Equal(map.Epoch, reopened.Partitions.Epoch);
        Assert.Equal(map.Ids, reopened.Partitions.Ids);
        Assert.Equal(map.Splits, reopened.Partitions.Splits);
        Assert.Null(other.Partitions);
        var (_, newest, _) = await Open(kind == "postgres" ? PostgresStore() : next, "space");
        await Assert.ThrowsAsync<StaleEpochException>(() => reopened.WritePartitionsAsync(PartitionMap.Single));
        Assert.Equal(map.Splits, newest.Partitions!.Splits);
    }

    [Fact]
    public async Task A_damaged_partition_map_is_told_when_the_space_is_recovered()
    {
        var store = FileStore();
        var (_, stored, _) = await Open(store, "space");
        await stored.WritePartitionsAsync(new PartitionMap(1, [0, 1], [[0x10]]));
        await stored.DisposeAsync();
        var path = SpaceFiles("partitions").Single();
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..^1]);

        var error = await Assert.ThrowsAsync<StoreCorruptedException>(() => Open(ReopenedFileStore(), "space"));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_space_opened_again_refuses_writes_from_its_older_activation(string kind)
    {
        var store = Store(kind);
        var (first, older, sequence) = await Open(store, "space");
        await Change(first, older, ref sequence, LogOperation.AddFacts, Batch("(early)"));

        // Another silo's store for PostgreSQL; a data directory or a memory store has one process.
        var next = kind == "postgres" ? PostgresStore() : store;
        var (_, newer, _) = await Open(next, "space");

        var late = sequence;
        var error = await Assert.ThrowsAsync<StaleEpochException>(() => Change(first, older, ref late, LogOperation.AddFacts, Batch("(late)")));

        Assert.Contains("was opened again", error.Message, StringComparison.Ordinal);
        Assert.True(newer.Epoch > older.Epoch);
        await Assert.ThrowsAsync<StaleEpochException>(async () =>
        {
            await using var snapshot = older.BeginSnapshot(late);
            await snapshot.PublishAsync();
        });
        var (recovered, _, last) = await Open(next, "space");
        Assert.Equal("(early)\n", recovered.Dump());
        Assert.Equal(1, last);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_deleted_space_keeps_nothing_opens_again_empty_and_only_its_current_activation_may_delete_it(string kind)
    {
        var store = Store(kind);
        var (live, stored, sequence) = await Open(store, "space");
        await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch(Royal92ShapedFacts.Generate(2000)));
        await SpaceCheckpoint.Begin(live, stored, sequence).WriteAsync();
        await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch("(after the snapshot)"));
        await stored.WritePartitionsAsync(new PartitionMap(1, [0, 1], [[0x10]]));
        var (kept, keptStored, keptSequence) = await Open(store, "other space");
        await Change(kept, keptStored, ref keptSequence, LogOperation.AddFacts, Batch("(kept)"));

        await stored.DeleteAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => Change(live, stored, ref sequence, LogOperation.AddFacts, Batch("(late)")));
        if (kind == "file")
        {
            Assert.False(Directory.Exists(Path.Combine(_directory, "spaces", "space")));
            Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_directory, "deleted")));
        }

        await stored.DisposeAsync();
        var next = Reopened(kind, store);
        var (recovered, again, last) = await Open(next, "space");
        Assert.Equal(0, last);
        Assert.Equal("", recovered.Dump());
        Assert.Null(again.Partitions);
        Assert.Equal(default, again.Stats);
        var (other, _, _) = await Open(next, "other space");
        Assert.Equal("(kept)\n", other.Dump());

        // An activation opened before the current one may not delete the space.
        var (_, newest, _) = await Open(kind == "postgres" ? PostgresStore() : next, "space");
        await Assert.ThrowsAsync<StaleEpochException>(() => again.DeleteAsync());
        await newest.DeleteAsync();
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_snapshot_begun_before_a_clear_and_published_after_it_does_not_bring_the_atoms_back(string kind)
    {
        var store = Store(kind);
        var (live, stored, sequence) = await Open(store, "space");
        await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch(Royal92ShapedFacts.Generate(2000)));
        var checkpoint = SpaceCheckpoint.Begin(live, stored, sequence);
        await Change(live, stored, ref sequence, LogOperation.Clear, []);
        await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch("(after clear)"));
        await checkpoint.WriteAsync();
        await stored.DisposeAsync();

        var (recovered, _, last) = await Open(Reopened(kind, store), "space");

        Assert.Equal(3, last);
        Assert.Equal("(after clear)\n", recovered.Dump());
    }

    [Fact]
    public async Task Postgres_snapshots_drop_the_log_they_cover_and_a_clear_drops_everything_before_it()
    {
        var store = PostgresStore();
        var (live, stored, sequence) = await Open(store, "space");
        for (var i = 0; i < 10; i++)
        {
            await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch(Royal92ShapedFacts.Generate(500, seed: i)));
        }

        var logBefore = stored.Stats.LogBytes;
        await SpaceCheckpoint.Begin(live, stored, sequence).WriteAsync();
        await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch("(after snapshot)"));

        Assert.Equal(live.Count - 1, stored.Stats.SnapshotAtoms);
        Assert.Equal(sequence - 1, stored.Stats.SnapshotSequence);
        Assert.InRange(stored.Stats.LogBytes, 1, logBefore / 100);
        Assert.Equal(1, Count("orleanskb_log"));
        Assert.Equal(1, Count("orleanskb_snapshots"));
        var (recovered, _, _) = await Open(PostgresStore(), "space");
        Assert.Equal(live.Dump(), recovered.Dump());

        (live, stored, sequence) = await Open(PostgresStore(), "space");
        await Change(live, stored, ref sequence, LogOperation.Clear, []);
        await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch("(after clear)"));
        Assert.Equal(0, Count("orleanskb_snapshots"));
        Assert.Equal(1, Count("orleanskb_log"));
        Assert.Equal("(after clear)\n", (await Open(PostgresStore(), "space")).Space.Dump());

        long Count(string table) => TestServices.Scalar(_postgresSchema!, $"SELECT count(*) FROM {table}");
    }

    [Fact]
    public async Task Postgres_damage_stops_recovery_naming_the_record_and_a_missing_record_is_named_too()
    {
        var store = PostgresStore();
        var (live, stored, sequence) = await Open(store, "space");
        for (var i = 0; i < 4; i++)
        {
            await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch($"(a {i})"));
        }

        TestServices.Execute(_postgresSchema!, "UPDATE orleanskb_log SET atoms = set_byte(atoms, 1, get_byte(atoms, 1) # 1) WHERE seq = 2");
        var damaged = await Assert.ThrowsAsync<StoreCorruptedException>(() => Open(PostgresStore(), "space"));
        Assert.Contains("space 'space': record 2 is damaged", damaged.Message, StringComparison.Ordinal);

        TestServices.Execute(_postgresSchema!, "DELETE FROM orleanskb_log WHERE seq = 2");
        var missing = await Assert.ThrowsAsync<StoreCorruptedException>(() => Open(PostgresStore(), "space"));
        Assert.Contains("the log jumps from record 1 to 3", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postgres_that_cannot_be_reached_is_an_IO_error_naming_the_server()
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(TestServices.Postgres) { Port = 1, Timeout = 2 };
        await using var store = new PostgresSpaceStore(builder.ConnectionString);

        var error = await Assert.ThrowsAsync<IOException>(() => store.OpenAsync("space"));

        Assert.StartsWith($"postgres {builder.Host}:1/", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_store_on_the_same_data_directory_is_refused()
    {
        FileStore();

        var error = Assert.Throws<DataDirectoryInUseException>(() => new FileSpaceStore(_directory));

        Assert.Contains($"the data directory {_directory} is in use by another OrleansKb process (process {Environment.ProcessId}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_data_directory_and_every_file_in_it_are_the_silos_users_only()
    {
        // Windows gives a new file its folder's access list: there is no mode to check.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var data = Path.Combine(_directory, "data");
        var store = new FileSpaceStore(data);
        _stores.Add(store);
        var (live, stored, sequence) = await Open(store, "space");
        await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch("(a 1) (a 2)"));
        await SpaceCheckpoint.Begin(live, stored, sequence).WriteAsync();
        await Change(live, stored, ref sequence, LogOperation.AddFacts, Batch("(a 3)"));
        Crash();
        var segment = Directory.GetFiles(Path.Combine(data, "spaces", "space"), "log-*.seg").Max()!;
        File.AppendAllBytes(segment, [1, 2, 3]);
        var reopened = new FileSpaceStore(data);
        _stores.Add(reopened);
        await Open(reopened, "space");

        var files = Directory.GetFiles(data, "*", SearchOption.AllDirectories);
        Assert.Equal(["log-", "name", "orleanskb.lock", "owner", "snapshot-", "torn"], files.Select(Path.GetFileName).Select(Kind).Distinct().Order());
        var modes = new List<(string Path, UnixFileMode Mode)>();
        foreach (var folder in Directory.GetDirectories(data, "*", SearchOption.AllDirectories).Prepend(data))
        {
            modes.Add((folder, File.GetUnixFileMode(folder)));
        }

        foreach (var file in files)
        {
            modes.Add((file, File.GetUnixFileMode(file)));
        }

        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(modes.Select(entry => (entry.Path, Directory.Exists(entry.Path) ? ownerOnly | UnixFileMode.UserExecute : ownerOnly)), modes);

        static string Kind(string? file) => file!.Contains(".torn-", StringComparison.Ordinal) ? "torn" : file.StartsWith("log-", StringComparison.Ordinal) ? "log-" : file.StartsWith("snapshot-", StringComparison.Ordinal) ? "snapshot-" : file;
    }

    [Fact]
    public void Space_names_become_safe_distinct_folder_names()
    {
        string[] names = ["default", "Default", "../etc", "a/b", "a%2Fb", ".", "..", "géné", "with space", new string('x', 500), new string('x', 499) + "y"];

        var folders = names.Select(SpaceFolderName.For).ToList();

        Assert.Equal(names.Length, folders.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(folders, folder =>
        {
            Assert.InRange(folder.Length, 1, SpaceFolderName.MaxLength);
            Assert.DoesNotContain('/', folder);
            Assert.DoesNotContain('.', folder);
            Assert.Equal(folder.ToLowerInvariant(), folder);
        });
        Assert.Equal("default", folders[0]);
        Assert.Equal("%44efault", folders[1]);
    }
}
