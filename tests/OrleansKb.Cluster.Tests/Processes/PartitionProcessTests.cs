using System.Globalization;
using System.Text.Json;
using OrleansKb.Client;
using OrleansKb.Persistence;
using OrleansKb.Spaces;

namespace OrleansKb.Cluster.Tests.Processes;

/// <summary>
/// Partitions that change while a silo process runs (docs/cluster.md, "Changing the partitions"): a
/// space that splits by itself past <c>PartitionMaxAtoms</c>, and repartitions cut short by
/// <c>kill -9</c>, on a data directory that outlives the silo.
/// </summary>
[Collection(SharedSiloProcess.Name)]
public sealed class PartitionProcessTests : IDisposable
{
    private const int Facts = 100_000;
    private const int MaxAtoms = 20_000;
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    private readonly string _data = Directory.CreateTempSubdirectory("orleanskb-partitions-").FullName;
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"orleanskb-partitions-{Guid.NewGuid():N}.metta");

    public void Dispose()
    {
        Directory.Delete(_data, recursive: true);
        File.Delete(_file);
    }

    private static (int Exit, string Output, string Error, TimeSpan Elapsed) Cli(SiloProcess silo, string space, params string[] command) =>
        CliProcess.Run(["--gateway", silo.Gateway, "--space", space, .. command], CommandTimeout);

    private static SiloProcess Start(string data, int maxAtoms = MaxAtoms) =>
        SiloProcessFixture.Start(data, more: new Dictionary<string, string> { ["PartitionMaxAtoms"] = maxAtoms.ToString(CultureInfo.InvariantCulture) });

    private IEnumerable<string> Folders() => Directory.GetDirectories(Path.Combine(_data, "spaces")).Select(path => Path.GetFileName(path)!);

    private List<string> Expected() => [.. File.ReadLines(_file).Order(StringComparer.Ordinal)];

    /// <summary>The space's count and export, each from its own CLI process: exact, whatever its partitions.</summary>
    private void AssertWhole(SiloProcess silo, string space)
    {
        Assert.Equal(Facts.ToString(CultureInfo.InvariantCulture), Cli(silo, space, "count").Output);
        var export = Cli(silo, space, "export");
        Assert.Equal(0, export.Exit);
        Assert.Equal(Expected(), export.Output.Split('\n').Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_space_past_PartitionMaxAtoms_splits_by_itself_and_repartitions_cut_short_by_kill_9_lose_nothing()
    {
        await File.WriteAllLinesAsync(_file, Enumerable.Range(0, Facts).Select(i => $"(edge n{i:D6} n{(i * 7919) % Facts:D6} {i % 13})"));
        var name = $"test-{Guid.NewGuid():N}";
        var silo = Start(_data);
        try
        {
            var load = Cli(silo, name, "load", _file);
            Assert.True(load.Exit == 0, load.Error);
            await using (var cluster = await KbCluster.ConnectAsync(silo.Gateway))
            {
                // Each split is asked for by a write that takes a partition past the limit, and runs after it.
                var space = cluster.Space(name);
                Assert.True(await Poll.Until(async () => (await space.InfoAsync()).Partitions!.All(p => p.Atoms <= MaxAtoms), 60), silo.Log);
                var info = await space.InfoAsync();
                Assert.InRange(info.Partitions!.Count, Facts / MaxAtoms, 4 * Facts / MaxAtoms);
                Assert.Equal(Facts, info.Atoms);
            }

            AssertWhole(silo, name);

            // Killed at different points of a repartition: before its commit the old partitions hold
            // everything, after it the new ones; either way nothing is lost or doubled.
            foreach (var delay in new[] { 0, 60, 250 })
            {
                await using (var cluster = await KbCluster.ConnectAsync(silo.Gateway))
                {
                    var repartition = cluster.Space(name).RepartitionAsync(3);
                    await Task.Delay(delay);
                    silo.Kill();
                    // It fails with the silo, unless it was over first.
                    await repartition.ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(CommandTimeout);
                }

                silo.Dispose();
                silo = Start(_data);
                AssertWhole(silo, name);
            }

            var done = Cli(silo, name, "repartition", "4");
            Assert.True(done.Exit == 0, done.Error);
            using var result = JsonDocument.Parse(done.Output);
            Assert.Equal(4, result.RootElement.GetProperty("partitions").GetInt32());
            Assert.Equal(Facts, result.RootElement.GetProperty("atoms_moved").GetInt64());
            AssertWhole(silo, name);

            // Every partition that left a map — also those a kill kept from being told — has deleted its
            // store: the data directory holds partition 0's folder (it keeps the map) and the map's partitions'.
            await using (var cluster = await KbCluster.ConnectAsync(silo.Gateway))
            {
                var info = await cluster.Space(name).InfoAsync();
                var expected = info.Partitions!.Select(p => p.Partition).Append(0).Distinct()
                    .Select(id => SpaceFolderName.For(PartitionNames.Of(name, id))).Order(StringComparer.Ordinal).ToList();
                Assert.True(
                    await Poll.Until(() => Task.FromResult(expected.SequenceEqual(Folders().Order(StringComparer.Ordinal))), 60),
                    $"folders: {string.Join(' ', Folders())}; expected: {string.Join(' ', expected)}");
            }
        }
        finally
        {
            silo.Dispose();
        }
    }

    [Fact]
    public async Task A_kill_9_while_a_load_splits_partitions_loses_nothing_acknowledged_and_loading_again_completes_it()
    {
        const int Many = 2_000_000;
        await File.WriteAllLinesAsync(_file, Enumerable.Range(0, Many).Select(i => $"(edge n{i:D6} n{(i * 7919) % Many:D6} {i % 13})"));
        var name = $"test-{Guid.NewGuid():N}";
        long acknowledged;
        using (var silo = Start(_data, maxAtoms: 200_000))
        {
            // Killed once the space has split at least once, while the load goes on (it holds ten times the limit).
            using var load = CliProcess.Start(["--gateway", silo.Gateway, "--space", name, "load", _file]);
            Assert.True(await Poll.Until(() => Task.FromResult(silo.Log.Contains("was split", StringComparison.Ordinal)), 60), silo.Log);
            silo.Kill();
            Assert.Equal(1, load.WaitForExit(CommandTimeout));
            var said = System.Text.RegularExpressions.Regex.Match(load.Error, @"the load stopped after ([\d,]+) of its atoms were acknowledged");
            Assert.True(said.Success, load.Error);
            acknowledged = long.Parse(said.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        }

        using var restarted = Start(_data, maxAtoms: 200_000);
        var count = long.Parse(Cli(restarted, name, "count").Output, CultureInfo.InvariantCulture);
        Assert.True(count >= acknowledged && count <= Many, $"{count} atoms after the restart; {acknowledged:N0} were acknowledged");
        var lines = File.ReadLines(_file).ToHashSet(StringComparer.Ordinal);
        var export = Cli(restarted, name, "export").Output.Split('\n');
        Assert.Equal(count, export.Length);
        Assert.All(export, line => Assert.Contains(line, lines));

        var again = Cli(restarted, name, "load", _file);
        Assert.True(again.Exit == 0, again.Error);
        Assert.Equal(Many.ToString(CultureInfo.InvariantCulture), Cli(restarted, name, "count").Output);
    }
}
