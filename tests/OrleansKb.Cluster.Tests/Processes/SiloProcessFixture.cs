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

    /// <summary>The HTTP API's key on the shared silo (it serves the API, the metrics and the dashboard).</summary>
    public const string HttpApiKey = "test-key";

    /// <summary>The shared silo's HttpMaxBodyBytes: above the 64 MiB atom limit, so both limits can be tried.</summary>
    public const long HttpMaxBodyBytes = 96L << 20;

    private readonly Lazy<(SiloProcess Silo, HttpClient Client)> _http = new(StartHttp);

    public SiloProcessFixture() => Silo = Start();

    internal SiloProcess Silo { get; }

    /// <summary>
    /// A client of a second silo that serves the HTTP API, the metrics and the dashboard (with
    /// <see cref="HttpApiKey"/>, sent by the client), started on first use: its own heap, so what its
    /// tests leave there does not weigh on the memory the other tests measure, and in this
    /// collection, so its large bodies are never sent while another test loads millions of atoms.
    /// </summary>
    public HttpClient Http => _http.Value.Client;

    /// <summary>Three million generated facts (about 130 MB): a load that takes seconds, to interrupt.</summary>
    public string BigFile => _bigFile.Value;

    /// <summary>
    /// A silo with the collection's settings: in a data directory of its own, or in
    /// <paramref name="dataDirectory"/> (a restart); taking snapshots as often as
    /// <paramref name="snapshotLogBytes"/> says; with <paramref name="more"/> settings.
    /// </summary>
    internal static SiloProcess Start(string? dataDirectory = null, long snapshotLogBytes = 256L << 20, int? httpPort = null, IReadOnlyDictionary<string, string>? more = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Match:MaxSolutions"] = MaxSolutions.ToString(CultureInfo.InvariantCulture),
            ["Match:IdleSeconds"] = IdleSeconds.ToString(CultureInfo.InvariantCulture),
            ["SnapshotLogBytes"] = snapshotLogBytes.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        if (httpPort is { } port)
        {
            settings["HttpPort"] = port.ToString(CultureInfo.InvariantCulture);
            settings["HttpApiKey"] = HttpApiKey;
            settings["HttpMaxBodyBytes"] = HttpMaxBodyBytes.ToString(CultureInfo.InvariantCulture);
            settings["Dashboard"] = "true";
        }

        return SiloProcess.Start(settings, HeapLimitBytes, dataDirectory);
    }

    public void Dispose()
    {
        if (_http.IsValueCreated)
        {
            _http.Value.Client.Dispose();
            _http.Value.Silo.Dispose();
        }

        Silo.Dispose();
        if (_bigFile.IsValueCreated)
        {
            File.Delete(_bigFile.Value);
        }
    }

    private static (SiloProcess, HttpClient) StartHttp()
    {
        var port = SiloProcess.FreePort();
        var silo = Start(httpPort: port);
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(120) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", HttpApiKey);
        return (silo, client);
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
