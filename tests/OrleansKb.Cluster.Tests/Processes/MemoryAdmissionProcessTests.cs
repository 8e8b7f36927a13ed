using System.Globalization;
using System.Text.RegularExpressions;
using OrleansKb.Tests;

namespace OrleansKb.Cluster.Tests.Processes;

/// <summary>
/// A silo that refuses writes before its memory runs out (docs/cluster.md, "Memory"): a silo process
/// whose heap is capped at 512 MiB, a load of ten million facts into it, and what the silo, the
/// space and another space answer then and after a restart.
/// </summary>
[Collection(SharedSiloProcess.Name)]
public sealed partial class MemoryAdmissionProcessTests : IDisposable
{
    private const int Facts = 10_000_000;
    private const long HeapLimitBytes = 512L << 20;
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(240);
    private readonly string _data = Directory.CreateTempSubdirectory("orleanskb-memory-").FullName;
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"orleanskb-memory-{Guid.NewGuid():N}.metta");

    public void Dispose()
    {
        Directory.Delete(_data, recursive: true);
        File.Delete(_file);
    }

    private static (int Exit, string Output, string Error, TimeSpan Elapsed) Cli(SiloProcess silo, string space, params string[] command) =>
        CliProcess.Run(["--gateway", silo.Gateway, "--space", space, .. command], CommandTimeout);

    /// <summary>A silo with the file store in this test's data directory, or with the PostgreSQL store in <paramref name="postgres"/>'s schema.</summary>
    private SiloProcess Start(string? postgres, long maxMemory = 0)
    {
        var settings = new Dictionary<string, string> { ["MaxMemory"] = maxMemory.ToString(CultureInfo.InvariantCulture) };
        if (postgres is not null)
        {
            (settings["Store"], settings["PostgresConnection"]) = ("Postgres", postgres);
        }

        return SiloProcess.Start(settings, HeapLimitBytes, _data);
    }

    [GeneratedRegex(@"the load stopped after ([\d,]+) of its atoms were acknowledged")]
    private static partial Regex Acknowledged();

    [Theory]
    [InlineData("file")]
    [InlineData("postgres")]
    public void A_load_past_the_silos_memory_is_refused_in_one_line_and_the_silo_its_spaces_and_a_restart_are_unharmed(string store)
    {
        var postgres = store == "postgres" ? TestServices.NewPostgresSchema() : null;
        using (var writer = new StreamWriter(_file))
        {
            for (var i = 0; i < Facts; i++)
            {
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"(fact {i} \"name-{i}\" (pair {i % 977} {i % 1013}))\n"));
            }
        }

        var (big, small) = ($"test-{Guid.NewGuid():N}", $"test-{Guid.NewGuid():N}");
        var royal = TestData.PathOf("aunt-kg/royal92_simple.metta");
        long acknowledged, count;
        string smallCount;
        using (var silo = Start(postgres))
        {
            Assert.Equal(0, Cli(silo, small, "load", royal).Exit);
            smallCount = Cli(silo, small, "count").Output;

            var load = Cli(silo, big, "load", _file);
            Assert.Equal(1, load.Exit);
            var error = load.Error.Trim();
            Assert.DoesNotContain('\n', error);
            Assert.Contains("refused a write", error, StringComparison.Ordinal);
            Assert.Contains("memory budget", error, StringComparison.Ordinal);
            Assert.DoesNotContain("unexpected", error, StringComparison.Ordinal);
            var said = Acknowledged().Match(error);
            Assert.True(said.Success, error);
            acknowledged = long.Parse(said.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
            Assert.InRange(acknowledged, 1_000_000, Facts - 1);

            // The space answers with what it holds, every atom of it from the file; the other space too.
            count = long.Parse(Cli(silo, big, "count").Output, CultureInfo.InvariantCulture);
            Assert.InRange(count, acknowledged, Facts - 1);
            Assert.Equal("true", Cli(silo, big, "contains", "(fact 0 \"name-0\" (pair 0 0))").Output);
            Assert.Equal(smallCount, Cli(silo, small, "count").Output);
            Assert.Equal(0, Cli(silo, small, "match", "(, (parent $p $x) (female $p))", "$x", "--count").Exit);

            // Removes still work, and the silo stays up throughout.
            Assert.Equal(0, Cli(silo, small, "remove", "(female \"@I1@\")").Exit);
            smallCount = Cli(silo, small, "count").Output;
            Assert.False(silo.HasExited, silo.Log);
        }

        // After a restart the space is recovered whole, or refused for memory in one line: never an
        // unexpected error, and the silo and its other space are unharmed either way.
        using (var restarted = Start(postgres))
        {
            var again = Cli(restarted, big, "count");
            if (again.Exit == 0)
            {
                Assert.Equal(count.ToString(CultureInfo.InvariantCulture), again.Output);
            }
            else
            {
                Assert.Contains("memory", again.Error, StringComparison.Ordinal);
                Assert.DoesNotContain("unexpected", again.Error, StringComparison.Ordinal);
            }

            Assert.Equal(smallCount, Cli(restarted, small, "count").Output);
            Assert.False(restarted.HasExited, restarted.Log);
        }

        // A silo whose budget half the space's snapshot and log would overrun does not recover it: it
        // says so in one line before reading anything, and goes on serving the other space.
        using var smaller = Start(postgres, maxMemory: 128L << 20);
        var refused = Cli(smaller, big, "count");
        Assert.Equal(1, refused.Exit);
        Assert.Contains("was not opened", refused.Error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Error.Trim());
        Assert.Equal(smallCount, Cli(smaller, small, "count").Output);
        Assert.False(smaller.HasExited, smaller.Log);
    }
}
