using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using OrleansKb.Client;
using OrleansKb.Hosting;
using OrleansKb.Text;
using OrleansKb.Workloads;

namespace OrleansKb.Cli.Bench;

/// <summary>
/// What <c>orleanskb bench http</c> measures against one silo serving its HTTP API (docs/http.md): the
/// same file of royal92-shaped facts loaded by this process (<see cref="KbSpace.LoadAsync"/>, as
/// <c>orleanskb load</c>) and posted to <c>POST /spaces/{space}/atoms</c> (the silo reads it), run
/// alternately, median of three each into fresh spaces; then a point match over HTTP (median and p99
/// of 200 requests after 20 to warm up) on the genealogy in <paramref name="genealogy"/>. An https
/// silo is trusted if its certificate chains to <paramref name="trusted"/>.
/// </summary>
internal static class HttpBench
{
    private const int Runs = 3;

    public static async Task<HttpBenchResult> RunAsync(
        KbCluster cluster, Uri url, string? apiKey, int facts, string genealogy, string pointQuery, X509Certificate2? trusted = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(url);
        ArgumentOutOfRangeException.ThrowIfLessThan(facts, 1);
        var handler = new SocketsHttpHandler();
        if (trusted is not null)
        {
            // An https silo is trusted as the cluster's members trust each other: pinned to the cluster's certificate.
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => ClusterTls.ChainsTo(certificate as X509Certificate2, trusted);
        }

        using var http = new HttpClient(handler) { BaseAddress = url, Timeout = TimeSpan.FromMinutes(10) };
        if (apiKey is { Length: > 0 })
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        var file = Path.Combine(Path.GetTempPath(), $"orleanskb-bench-{Guid.NewGuid():N}.metta");
        try
        {
            await File.WriteAllLinesAsync(file, Royal92ShapedFacts.Generate(facts).Select(MettaPrinter.Print), cancellationToken).ConfigureAwait(false);
            var bytes = new FileInfo(file).Length;

            // Warm-up: both ways once.
            await LoadAsync(cluster, file, cancellationToken).ConfigureAwait(false);
            await PostAsync(http, file, cancellationToken).ConfigureAwait(false);
            var cli = new double[Runs];
            var posted = new double[Runs];
            for (var i = 0; i < Runs; i++)
            {
                cli[i] = facts / await LoadAsync(cluster, file, cancellationToken).ConfigureAwait(false);
                posted[i] = facts / await PostAsync(http, file, cancellationToken).ConfigureAwait(false);
            }

            var (median, p99) = await PointAsync(http, genealogy, pointQuery, cancellationToken).ConfigureAwait(false);
            var cliRate = BenchTiming.Median(cli);
            var httpRate = BenchTiming.Median(posted);
            return new HttpBenchResult(facts, bytes, cliRate, httpRate, httpRate / cliRate, median, p99);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Seconds to load the file into a fresh space as <c>orleanskb load</c> does; the space is emptied after.</summary>
    private static async Task<double> LoadAsync(KbCluster cluster, string file, CancellationToken cancellationToken)
    {
        var (ns, _) = await BenchTiming.TimeLoadAsync(cluster, ephemeral: false, space => space.LoadAsync(LoadSource.File(file), cancellationToken: cancellationToken), cancellationToken: cancellationToken).ConfigureAwait(false);
        return ns / 1e9;
    }

    /// <summary>Seconds to post the file into a fresh space; the space is emptied after.</summary>
    private static async Task<double> PostAsync(HttpClient http, string file, CancellationToken cancellationToken)
    {
        var space = $"/spaces/bench-{Guid.NewGuid():N}";
        GC.Collect();
        var stopwatch = Stopwatch.StartNew();
        await using (var body = File.OpenRead(file))
        {
            using var content = new StreamContent(body, 1 << 20);
            using var response = await http.PostAsync(new Uri(space + "/atoms", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
            await Succeeded(response, cancellationToken).ConfigureAwait(false);
        }

        var seconds = stopwatch.Elapsed.TotalSeconds;
        using var cleared = await http.DeleteAsync(new Uri(space, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        await Succeeded(cleared, cancellationToken).ConfigureAwait(false);
        return seconds;
    }

    private static async Task<(double MedianUs, double P99Us)> PointAsync(HttpClient http, string genealogy, string pointQuery, CancellationToken cancellationToken)
    {
        var space = $"/spaces/bench-{Guid.NewGuid():N}";
        await using (var body = File.OpenRead(genealogy))
        {
            using var content = new StreamContent(body);
            using var loaded = await http.PostAsync(new Uri(space + "/atoms", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
            await Succeeded(loaded, cancellationToken).ConfigureAwait(false);
        }

        var request = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["pattern"] = pointQuery, ["template"] = pointQuery });
        var latency = await BenchTiming.LatencyAsync(async () =>
        {
            using var content = new StringContent(request, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(new Uri(space + "/match", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
            await Succeeded(response, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);

        using var cleared = await http.DeleteAsync(new Uri(space, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        return latency;
    }

    /// <summary>Reads the whole answer; a failure is an <see cref="HttpRequestException"/> carrying the problem the silo sent.</summary>
    private static async Task Succeeded(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{(int)response.StatusCode} from {response.RequestMessage?.RequestUri}: {body}");
        }
    }
}
