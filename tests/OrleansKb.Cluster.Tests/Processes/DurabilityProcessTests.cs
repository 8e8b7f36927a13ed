using System.Globalization;
using OrleansKb.Atoms;
using OrleansKb.Client;
using OrleansKb.Codec;
using OrleansKb.Spaces;
using OrleansKb.Tests;
using OrleansKb.Text;

namespace OrleansKb.Cluster.Tests.Processes;

/// <summary>
/// Spaces that survive <c>kill -9</c> of their silo (docs/durability.md), tried with real silo and
/// client processes on a data directory that outlives them.
/// </summary>
[Collection(SharedSiloProcess.Name)]
public sealed class DurabilityProcessTests(SiloProcessFixture fixture) : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private readonly string _data = Directory.CreateTempSubdirectory("orleanskb-durable-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private static string NewSpace() => $"test-{Guid.NewGuid():N}";

    private static (int Exit, string Output, string Error, TimeSpan Elapsed) Cli(SiloProcess silo, string space, params string[] command) =>
        CliProcess.Run(["--gateway", silo.Gateway, "--space", space, .. command], CommandTimeout);

    [Fact]
    public void Royal92_survives_kill_9_and_a_restart_on_the_same_data_directory()
    {
        var name = NewSpace();
        var royal = TestData.PathOf("aunt-kg/royal92.metta");
        using (var silo = SiloProcessFixture.Start(_data))
        {
            Assert.Equal(0, Cli(silo, name, "load", royal).Exit);
            silo.Kill();
        }

        using var restarted = SiloProcessFixture.Start(_data);
        var count = Cli(restarted, name, "count");
        var export = Cli(restarted, name, "export");
        var canonical = CliProcess.Run(["fmt", royal], CommandTimeout);

        Assert.Equal("53442", count.Output);
        Assert.Equal(
            canonical.Output.Split('\n').Distinct().Order(StringComparer.Ordinal),
            export.Output.Split('\n').Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Every_acknowledged_batch_survives_a_kill_in_the_middle_of_a_load_and_no_batch_is_half_there()
    {
        var name = NewSpace();
        var atoms = Enumerable.Range(0, 2_000_000).Select(i => (Atom)Atom.Expression(Atom.Symbol("n"), Atom.Integer(i))).ToList();

        // One batch in flight at a time, so batches are applied in order: what survives must be a
        // prefix of the atoms that ends where a batch ends. Snapshots every 256 KiB of log, so the kill
        // also lands in the middle of snapshots being written and published.
        var options = new LoadOptions { Bulk = BulkOptions.Sequential with { BatchBytes = 4096 }, BatchesInFlight = 1 };
        long acknowledgedAtKill;
        using (var silo = SiloProcessFixture.Start(_data, snapshotLogBytes: 256 << 10))
        {
            await using var cluster = await KbCluster.ConnectAsync(silo.Gateway);
            long acknowledged = 0;
            var killed = 0;
            var progress = new Reporter(p =>
            {
                Interlocked.Exchange(ref acknowledged, p.AtomsAcknowledged);
                if (p.AtomsAcknowledged >= 50_000 && Interlocked.Exchange(ref killed, 1) == 0)
                {
                    silo.Kill();
                }
            });

            await Assert.ThrowsAnyAsync<Exception>(() => cluster.Space(name).AddFactsAsync(atoms, options, progress));
            acknowledgedAtKill = Interlocked.Read(ref acknowledged);
        }

        using var restarted = SiloProcessFixture.Start(_data);
        await using var again = await KbCluster.ConnectAsync(restarted.Gateway);
        var space = again.Space(name);
        var count = await space.CountAsync();
        var recovered = await space.ExportAsync().Select(a => ((IntegerAtom)((ExpressionAtom)a)[1]).Value).ToListAsync();
        Assert.True((await space.InfoAsync()).SnapshotSeq > 0, "no snapshot was taken during the load");

        Assert.True(count >= acknowledgedAtKill, $"{count} atoms recovered, {acknowledgedAtKill} were acknowledged");
        Assert.True(count < atoms.Count, "the load was not interrupted");
        Assert.Equal(Enumerable.Range(0, (int)count).Select(i => (long)i), recovered.Order());
        Assert.Contains(count, BatchEnds(atoms, options.Bulk.BatchBytes));
    }

    [Fact]
    public async Task Loads_that_exited_0_survive_a_kill_during_a_later_load()
    {
        var name = NewSpace();
        string[] finished = [TestData.PathOf("aunt-kg/toy.metta"), TestData.PathOf("aunt-kg/simpsons.metta")];
        using (var silo = SiloProcessFixture.Start(_data))
        {
            foreach (var file in finished)
            {
                Assert.Equal(0, Cli(silo, name, "load", file).Exit);
            }

            await using var cluster = await KbCluster.ConnectAsync(silo.Gateway);
            using var interrupted = CliProcess.Start(["--gateway", silo.Gateway, "--space", name, "load", fixture.BigFile]);
            var before = await cluster.Space(name).CountAsync();
            Assert.True(await Poll.Until(async () => await cluster.Space(name).CountAsync() > before, 60), interrupted.Error);
            silo.Kill();
            Assert.Equal(1, interrupted.WaitForExit(CommandTimeout));
        }

        using var restarted = SiloProcessFixture.Start(_data);
        await using var again = await KbCluster.ConnectAsync(restarted.Gateway);
        var space = again.Space(name);
        foreach (var atom in finished.SelectMany(file => MettaReader.Parse(File.ReadAllText(file))))
        {
            Assert.True(await space.ContainsAsync(atom), MettaPrinter.Print(atom));
        }
    }

    [Fact]
    public void A_second_process_on_the_same_data_directory_is_refused()
    {
        using var silo = SiloProcessFixture.Start(_data);

        var (exit, log) = SiloProcess.StartRefused(_data);
        var embedded = CliProcess.Run(["--embedded", "--data", _data, "count"], CommandTimeout);

        Assert.Equal(1, exit);
        Assert.Contains($"orleanskb-silo: the data directory {_data} is in use by another OrleansKb process (process {silo.Id}", log, StringComparison.Ordinal);
        Assert.Equal(1, embedded.Exit);
        Assert.StartsWith($"orleanskb: the data directory {_data} is in use", embedded.Error, StringComparison.Ordinal);
        Assert.EndsWith("give --data DIR or --ephemeral, or leave out --embedded to work through the running silo", embedded.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Clustering", "Redis")]
    [InlineData("PrimarySiloPort", "11111")]
    public void A_silo_of_a_cluster_of_several_refuses_a_data_directory_of_its_own(string setting, string value)
    {
        var (exit, log) = SiloProcess.StartRefused(_data, new Dictionary<string, string> { [setting] = value, ["RedisConnection"] = "127.0.0.1:1" });

        Assert.Equal(1, exit);
        Assert.Equal("orleanskb-silo: a cluster of several silos needs a store they all share: Store Postgres (or Store Memory, which keeps nothing); Store File is for a silo alone", log.Trim());
    }

    [Fact]
    public void A_damaged_log_stops_its_space_with_a_clear_error_and_not_the_others()
    {
        var (damaged, healthy) = (NewSpace(), NewSpace());
        using (var silo = SiloProcessFixture.Start(_data))
        {
            Assert.Equal(0, Cli(silo, damaged, "load", TestData.PathOf("aunt-kg/simpsons.metta")).Exit);
            Assert.Equal(0, Cli(silo, damaged, "add", "(after 1)").Exit);
            Assert.Equal(0, Cli(silo, healthy, "add", "(fine 1)").Exit);
            silo.Kill();
        }

        // One byte of the first record flipped: records after it make this damage, not a torn tail.
        var segment = Directory.GetFiles(Path.Combine(_data, "spaces", damaged), "log-*.seg").Single();
        var bytes = File.ReadAllBytes(segment);
        bytes[100] ^= 0x10;
        File.WriteAllBytes(segment, bytes);

        using var restarted = SiloProcessFixture.Start(_data);
        var count = Cli(restarted, damaged, "count");

        Assert.Equal(1, count.Exit);
        Assert.Equal(
            $"orleanskb: space '{damaged}' cannot be opened from file {_data}: {segment}: the record at offset 8 fails its checksum",
            count.Error);
        Assert.Equal("1", Cli(restarted, healthy, "count").Output);
    }

    /// <summary>Where each batch ends, as a client cuts atoms into batches of at most <paramref name="batchBytes"/>.</summary>
    private static HashSet<long> BatchEnds(List<Atom> atoms, int batchBytes)
    {
        var ends = new HashSet<long> { 0 };
        long bytes = 0;
        for (var i = 0; i < atoms.Count; i++)
        {
            var length = AtomEncoder.Encode(atoms[i]).Length;
            if (bytes > 0 && bytes + length > batchBytes)
            {
                ends.Add(i);
                bytes = 0;
            }

            bytes += length;
        }

        ends.Add(atoms.Count);
        return ends;
    }
}
