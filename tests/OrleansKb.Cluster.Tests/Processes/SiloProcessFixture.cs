using System.Globalization;

namespace OrleansKb.Cluster.Tests.Processes;

/// <summary>
/// One silo process shared by the tests of the collection: a match budget of
/// <see cref="MaxSolutions"/> solutions, matches closed after <see cref="IdleSeconds"/> without a
/// request, and a heap capped at <see cref="HeapLimitBytes"/> (a runaway would die, not swap).
/// </summary>
public sealed class SiloProcessFixture : IDisposable
{
    public const long MaxSolutions = 4_000_000;
    public const int IdleSeconds = 3;
    public const long HeapLimitBytes = 768L << 20;

    private readonly Lazy<string> _bigFile = new(WriteBigFile);

    public SiloProcessFixture() => Silo = Start();

    internal SiloProcess Silo { get; }

    /// <summary>Three million generated facts (about 130 MB): a load that takes seconds, to interrupt.</summary>
    public string BigFile => _bigFile.Value;

    /// <summary>
    /// A silo with the collection's settings: in a data directory of its own, or in
    /// <paramref name="dataDirectory"/> (a restart); taking snapshots as often as
    /// <paramref name="snapshotLogBytes"/> says.
    /// </summary>
    internal static SiloProcess Start(string? dataDirectory = null, long snapshotLogBytes = 256L << 20) => SiloProcess.Start(
        new Dictionary<string, string>
        {
            ["Match:MaxSolutions"] = MaxSolutions.ToString(CultureInfo.InvariantCulture),
            ["Match:IdleSeconds"] = IdleSeconds.ToString(CultureInfo.InvariantCulture),
            ["SnapshotLogBytes"] = snapshotLogBytes.ToString(CultureInfo.InvariantCulture),
        },
        HeapLimitBytes,
        dataDirectory);

    public void Dispose()
    {
        Silo.Dispose();
        if (_bigFile.IsValueCreated)
        {
            File.Delete(_bigFile.Value);
        }
    }

    private static string WriteBigFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"orleanskb-big-{Guid.NewGuid():N}.metta");
        using var writer = new StreamWriter(path);
        for (var i = 0; i < 3_000_000; i++)
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"(fact {i} \"name-{i}\" (pair {i % 977} {i % 1013}))\n"));
        }

        return path;
    }
}

[CollectionDefinition(Name)]
public sealed class SharedSiloProcess : ICollectionFixture<SiloProcessFixture>
{
    public const string Name = "silo process";
}
