using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using OrleansKb.Tests;

namespace OrleansKb.Cluster.Tests.Processes;

/// <summary>
/// The one-machine recipe, <c>deploy/local-cluster.sh</c>, run as a user runs it: three silos with
/// Redis membership, the PostgreSQL store and TLS, on the services <c>.ci/run</c> started, in a cluster
/// of their own (a new cluster id) on free ports, each silo's heap capped. Disposing it stops the
/// silos by the process ids the recipe recorded.
/// </summary>
internal sealed class LocalClusterRecipe : IDisposable
{
    public const int Silos = 3;

    private LocalClusterRecipe(string clusterId, int firstSiloPort, int firstGatewayPort, int firstHttpPort)
    {
        ClusterId = clusterId;
        FirstSiloPort = firstSiloPort;
        FirstGatewayPort = firstGatewayPort;
        FirstHttpPort = firstHttpPort;
    }

    public string ClusterId { get; }

    public int FirstSiloPort { get; }

    public int FirstGatewayPort { get; }

    public int FirstHttpPort { get; }

    /// <summary>The HTTP API's key the recipe made.</summary>
    public static string HttpApiKey => File.ReadAllText(Path.Combine(TestServices.RecipeState, "http-api-key")).Trim();

    /// <summary>The certificate alone, as an HTTP client trusts it.</summary>
    public static string TrustedCertificate => Path.Combine(TestServices.RecipeState, "cluster.crt");

    /// <summary>The HTTP API of silo <paramref name="index"/> (https: the recipe's silos use TLS).</summary>
    public Uri HttpUrl(int index) => new($"https://127.0.0.1:{FirstHttpPort + index}");

    /// <summary>The certificate the recipe made for the cluster.</summary>
    public static string Certificate => Path.Combine(TestServices.RecipeState, "cluster.pfx");

    /// <summary>The gateway of silo <paramref name="index"/>.</summary>
    public string Gateway(int index) => $"localhost:{FirstGatewayPort + index}";

    /// <summary>The process id of silo <paramref name="index"/>, as the recipe recorded it.</summary>
    public static int Pid(int index) => int.Parse(File.ReadAllText(Path.Combine(TestServices.RecipeState, $"silo-{index}.pid")).Trim(), CultureInfo.InvariantCulture);

    /// <summary>What silo <paramref name="index"/> printed.</summary>
    public static string Log(int index) => File.ReadAllText(Path.Combine(TestServices.RecipeState, $"silo-{index}.log"));

    /// <summary>The index of the silo whose silo-to-silo endpoint is <paramref name="endpoint"/> (<c>127.0.0.1:PORT</c>).</summary>
    public int IndexOf(string endpoint) => int.Parse(endpoint[(endpoint.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture) - FirstSiloPort;

    /// <summary>The global options that reach this cluster through the gateways of <paramref name="silos"/>, with the cluster's certificate.</summary>
    public string[] ClientOptions(params int[] silos) =>
        ["--gateway", string.Join(',', silos.Select(Gateway)), "--cluster-id", ClusterId, "--tls-certificate", Certificate];

    public static LocalClusterRecipe Start()
    {
        var (silo, gateway, http) = (FreeRange(), FreeRange(), FreeRange());
        var recipe = new LocalClusterRecipe("test-" + Guid.NewGuid().ToString("N")[..12], silo, gateway, http);
        var (exit, output) = Run("start", new Dictionary<string, string>
        {
            ["LOCAL_CLUSTER_STATE"] = TestServices.RecipeState,
            ["LOCAL_CLUSTER_FIRST_SILO_PORT"] = silo.ToString(CultureInfo.InvariantCulture),
            ["LOCAL_CLUSTER_FIRST_GATEWAY_PORT"] = gateway.ToString(CultureInfo.InvariantCulture),
            ["LOCAL_CLUSTER_FIRST_HTTP_PORT"] = http.ToString(CultureInfo.InvariantCulture),
            ["LOCAL_CLUSTER_SILO_DLL"] = Binaries.Silo,
            ["ORLEANSKB_CLUSTERID"] = recipe.ClusterId,
            ["DOTNET_GCHeapHardLimit"] = (1L << 30).ToString("X", CultureInfo.InvariantCulture),
        });
        if (exit != 0)
        {
            recipe.Dispose();
            throw new InvalidOperationException($"deploy/local-cluster.sh start failed ({exit}): {output}");
        }

        return recipe;
    }

    public void Dispose() => Run("silos-stop", new Dictionary<string, string> { ["LOCAL_CLUSTER_STATE"] = TestServices.RecipeState });

    private static (int Exit, string Output) Run(string command, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList = { Path.Combine(Binaries.Root, "deploy", "local-cluster.sh"), command },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"deploy/local-cluster.sh {command} took more than 2 minutes");
        }

        return (process.ExitCode, output.Result + error.Result);
    }

    /// <summary>The first of <see cref="Silos"/> consecutive free loopback ports.</summary>
    private static int FreeRange()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var first = Random.Shared.Next(20_000, 60_000);
            if (Enumerable.Range(first, Silos).All(IsFree))
            {
                return first;
            }
        }

        throw new InvalidOperationException("no free range of loopback ports");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
