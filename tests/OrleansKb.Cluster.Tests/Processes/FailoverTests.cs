using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using OrleansKb.Client;
using OrleansKb.Hosting;
using OrleansKb.Tests;
using Xunit.Abstractions;

namespace OrleansKb.Cluster.Tests.Processes;

/// <summary>The cluster of deploy/local-cluster.sh, shared by the tests of <see cref="FailoverTests"/>.</summary>
public sealed class LocalClusterFixture : IDisposable
{
    internal LocalClusterRecipe Cluster { get; } = LocalClusterRecipe.Start();

    public void Dispose() => Cluster.Dispose();
}

/// <summary>
/// Several silos sharing Redis membership and the PostgreSQL store, as deploy/README.md runs them:
/// concurrent loads through different gateways, a silo killed with everything it acknowledged
/// answered by another, and TLS that refuses a client without the cluster's certificate.
/// </summary>
public sealed class FailoverTests(LocalClusterFixture fixture, ITestOutputHelper output) : IClassFixture<LocalClusterFixture>
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);
    private readonly LocalClusterRecipe _cluster = fixture.Cluster;

    [Fact]
    public async Task A_space_of_four_partitions_whose_silo_is_killed_answers_through_another_gateway_with_everything_acknowledged()
    {
        var space = "failover-" + Guid.NewGuid().ToString("N");
        string[] files = ["aunt-kg/royal92.metta", "aunt-kg/lordOfTheRings.metta", "aunt-kg/adameve_simple.metta"];

        // Three loaders at once, each through a gateway of its own, into the one space, divided into
        // four partitions by whichever comes first (the others find it divided).
        var loads = await Task.WhenAll(files.Select((file, silo) => Task.Run(() =>
            CliProcess.Run([.. _cluster.ClientOptions(silo), "--space", space, "load", TestData.PathOf(file), "--partitions", "4"], CommandTimeout))));
        Assert.All(loads, load => Assert.True(load.Exit == 0, load.Error));
        var expected = files.SelectMany(file => Cli(["fmt", TestData.PathOf(file)]).Split('\n')).ToHashSet(StringComparer.Ordinal);
        var before = Cli([.. _cluster.ClientOptions(0, 1, 2), "--space", space, "export"]);
        Assert.Equal(expected.Order(StringComparer.Ordinal), before.Split('\n').Order(StringComparer.Ordinal));

        // A client of the library, connected before the kill through every gateway, and kept.
        await using var longLived = await KbCluster.ConnectAsync(new KbConnectOptions
        {
            Gateways = string.Join(',', Enumerable.Range(0, LocalClusterRecipe.Silos).Select(_cluster.Gateway)),
            ClusterId = _cluster.ClusterId,
            Tls = new ClusterTls { CertificateFile = LocalClusterRecipe.Certificate },
        });
        Assert.Equal(expected.Count, await longLived.Space(space).CountAsync());

        // The silo of its first partition, as `orleanskb info` names it, killed as a crash would.
        using var info = JsonDocument.Parse(Cli([.. _cluster.ClientOptions(0, 1, 2), "--space", space, "info"]));
        var partitions = info.RootElement.GetProperty("partitions").EnumerateArray().Select(p => p.GetProperty("silo").GetString()!).ToList();
        Assert.Equal(4, partitions.Count);
        Assert.Equal(LocalClusterRecipe.Silos, partitions.Distinct().Count());
        var host = _cluster.IndexOf(info.RootElement.GetProperty("silo").GetString()!);
        var others = Enumerable.Range(0, LocalClusterRecipe.Silos).Where(i => i != host).ToArray();
        using (var doomed = Process.GetProcessById(LocalClusterRecipe.Pid(host)))
        {
            doomed.Kill();
            Assert.True(doomed.WaitForExit(10_000));
        }

        var killed = Stopwatch.StartNew();
        var lastAnswer = "";
        var answered = await Poll.Until(
            () =>
            {
                var (exit, count, error, _) = CliProcess.Run([.. _cluster.ClientOptions(others), "--space", space, "count"], CommandTimeout);
                lastAnswer = exit == 0 ? count : error;
                return Task.FromResult(exit == 0 && count == expected.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            },
            seconds: 90);
        Assert.True(answered, $"after {killed.Elapsed.TotalSeconds:N0} s: {lastAnswer}");
        output.WriteLine($"kill -9 of silo {host} to the first correct count through another gateway: {killed.Elapsed.TotalSeconds:N1} s");

        Assert.Equal(before, Cli([.. _cluster.ClientOptions(others), "--space", space, "export"]));

        // And through a surviving silo's HTTP API (https, the recipe's key): the same atoms, and ready.
        using (var http = RecipeHttpClient(_cluster.HttpUrl(others[0])))
        {
            Assert.Equal(before + "\n", await http.GetStringAsync(new Uri($"/spaces/{space}/export", UriKind.Relative)));
            Assert.Contains("\"Healthy\"", await http.GetStringAsync(new Uri("/healthz", UriKind.Relative)), StringComparison.Ordinal);
        }

        // The kept client goes on through the gateways that are left, whichever it was using.
        long? kept = null;
        Assert.True(
            await Poll.Until(
                async () =>
                {
                    try
                    {
                        kept = await longLived.Space(space).CountAsync();
                        return kept == expected.Count;
                    }
                    catch (KbConnectionException)
                    {
                        return false;
                    }
                },
                seconds: 60),
            $"the client connected before the kill answers {kept}");
        using var after = JsonDocument.Parse(Cli([.. _cluster.ClientOptions(others), "--space", space, "info"]));
        Assert.NotEqual(host, _cluster.IndexOf(after.RootElement.GetProperty("silo").GetString()!));
        Assert.DoesNotContain(
            after.RootElement.GetProperty("partitions").EnumerateArray(),
            partition => _cluster.IndexOf(partition.GetProperty("silo").GetString()!) == host);
        Assert.True(after.RootElement.GetProperty("epoch").GetInt64() > info.RootElement.GetProperty("epoch").GetInt64());
    }

    [Fact]
    public async Task A_client_without_the_cluster_certificate_is_refused_and_one_with_it_works()
    {
        var space = "tls-" + Guid.NewGuid().ToString("N");
        var gateways = string.Join(',', Enumerable.Range(0, LocalClusterRecipe.Silos).Select(_cluster.Gateway));
        var stranger = StrangerCertificate();
        try
        {
            var attempts = await Task.WhenAll(
                Task.Run(() => CliProcess.Run(["--gateway", gateways, "--cluster-id", _cluster.ClusterId, "--space", space, "clear"], CommandTimeout)),
                Task.Run(() => CliProcess.Run(["--gateway", gateways, "--cluster-id", _cluster.ClusterId, "--tls-certificate", stranger, "--space", space, "clear"], CommandTimeout)));
            var (plain, foreign) = (attempts[0], attempts[1]);

            Assert.Equal(1, plain.Exit);
            Assert.Contains("does the cluster require TLS? then give --tls-certificate", plain.Error, StringComparison.Ordinal);
            Assert.Equal(1, foreign.Exit);
            Assert.Contains("did it refuse this client's certificate?", foreign.Error, StringComparison.Ordinal);
            Assert.Contains(
                Enumerable.Range(0, LocalClusterRecipe.Silos).Select(LocalClusterRecipe.Log),
                log => log.Contains("Refused a TLS peer: its certificate (CN=stranger", StringComparison.Ordinal));
            Assert.Equal("added 1", Cli([.. _cluster.ClientOptions(0, 1, 2), "--space", space, "add", "(trusted client)"]));

            // The gateways read from the membership table instead of given.
            Assert.Equal("1", Cli(["--redis", TestServices.Redis, "--cluster-id", _cluster.ClusterId, "--tls-certificate", LocalClusterRecipe.Certificate, "--space", space, "count"]));
        }
        finally
        {
            File.Delete(stranger);
        }
    }

    /// <summary>Runs a command that must succeed, and returns its output.</summary>
    private static string Cli(IEnumerable<string> args)
    {
        var (exit, result, error, _) = CliProcess.Run(args, CommandTimeout);
        Assert.True(exit == 0, error);
        return result;
    }

    /// <summary>A certificate of its own, not the cluster's: a .pfx in a temporary file.</summary>
    private static string StrangerCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=stranger", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var path = Path.Combine(Path.GetTempPath(), $"orleanskb-stranger-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx));
        return path;
    }

    /// <summary>An HTTP client for the recipe's HTTPS API: trusts what chains to the cluster's certificate, as its members do, and sends its key.</summary>
    private static HttpClient RecipeHttpClient(Uri url)
    {
        var trusted = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(LocalClusterRecipe.TrustedCertificate);
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => ClusterTls.ChainsTo(certificate, trusted),
        };
        var http = new HttpClient(handler) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", LocalClusterRecipe.HttpApiKey);
        return http;
    }
}
