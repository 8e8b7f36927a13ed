using Microsoft.Extensions.Configuration;
using OrleansKb.Hosting;

namespace OrleansKb.Silo;

/// <summary>
/// The silo's settings, from configuration: <c>appsettings.json</c>, environment variables
/// (<c>ORLEANSKB_SILOPORT</c>, <c>ORLEANSKB_STORE</c>, <c>ORLEANSKB_TLS__CERTIFICATEFILE</c>, …) or the
/// command line (<c>--SiloPort 11112</c>, <c>--Tls:CertificateFile FILE</c>, …). Every one is
/// described in deploy/README.md.
/// </summary>
internal sealed class SiloSettings
{
    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    public string ClusterId { get; set; } = "orleanskb";

    public string ServiceId { get; set; } = "orleanskb";

    /// <summary>How silos find each other: <c>Localhost</c> (one host, the default) or <c>Redis</c> (<see cref="RedisConnection"/>).</summary>
    public string Clustering { get; set; } = "Localhost";

    /// <summary>The Redis server that holds the membership table (a StackExchange.Redis configuration string, e.g. <c>redis1:6379,password=…</c>).</summary>
    public string? RedisConnection { get; set; }

    /// <summary>The silo port of the first silo, for the others to join (localhost clustering); empty for the first.</summary>
    public int? PrimarySiloPort { get; set; }

    /// <summary>The address the silo and gateway ports listen on (Redis clustering): loopback unless told, e.g. <c>0.0.0.0</c> for every interface.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>The address other silos and clients reach this one at (Redis clustering); by default <see cref="ListenAddress"/>, or this host's address when that is <c>0.0.0.0</c>.</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>
    /// Where spaces are kept: <c>File</c> (a data directory, the default; <c>DataDirectory</c>),
    /// <c>Postgres</c> (a database every silo shares; <c>PostgresConnection</c>) or <c>Memory</c>
    /// (memory only: nothing is kept once the silo stops). The store's own settings are its options'.
    /// </summary>
    public string Store { get; set; } = "File";

    /// <summary>TLS between silos and with clients (off without a certificate); the HTTP API uses the same certificate.</summary>
    public ClusterTls Tls { get; set; } = new();

    /// <summary>The port of the HTTP API, health and metrics (docs/http.md), on <see cref="ListenAddress"/>; off when not set.</summary>
    public int? HttpPort { get; set; }

    /// <summary>If set, every request to <c>/spaces/…</c> must carry it: <c>Authorization: Bearer KEY</c>.</summary>
    public string? HttpApiKey { get; set; }

    /// <summary>The largest request body the HTTP API takes, in bytes (a larger one is refused with 413).</summary>
    public long HttpMaxBodyBytes { get; set; } = 64L << 30;

    /// <summary>Serve the Orleans Dashboard at <c>/dashboard</c> on the HTTP port.</summary>
    public bool Dashboard { get; set; }

    /// <summary>The silo's configuration: <c>appsettings.json</c> in the working directory, then <c>ORLEANSKB_</c> variables, then the command line, each over the one before.</summary>
    public static IConfigurationRoot Configuration(string[] args) =>
        new ConfigurationBuilder().SetBasePath(Directory.GetCurrentDirectory()).AddJsonFile("appsettings.json", optional: true).AddEnvironmentVariables("ORLEANSKB_").AddCommandLine(args).Build();

    /// <summary>
    /// The settings in <paramref name="configuration"/>, or an exception naming in one line the first
    /// that is wrong: an <see cref="ArgumentException"/>, or the binder's <see cref="InvalidOperationException"/>
    /// for a value it cannot convert.
    /// </summary>
    public static SiloSettings Read(IConfiguration configuration)
    {
        var settings = configuration.Get<SiloSettings>() ?? new SiloSettings();
        settings.Check();
        return settings;
    }

    /// <summary>The checks that span settings, or that only the silo makes (the store's own are its options').</summary>
    private void Check()
    {
        if (!Clustering.Equals("Localhost", StringComparison.OrdinalIgnoreCase) && !UsesRedis)
        {
            throw new ArgumentException($"Clustering must be Localhost or Redis, not '{Clustering}'");
        }

        if (UsesRedis && string.IsNullOrEmpty(RedisConnection))
        {
            throw new ArgumentException("Clustering Redis needs RedisConnection (HOST:PORT of the Redis server)");
        }

        if ((UsesRedis || PrimarySiloPort is not null) && Store.Equals("File", StringComparison.OrdinalIgnoreCase))
        {
            // A space may be activated on any silo of the cluster, and a data directory is one silo's:
            // after a move the space would find another silo's directory, without its atoms.
            throw new ArgumentException("a cluster of several silos needs a store they all share: Store Postgres (or Store Memory, which keeps nothing); Store File is for a silo alone");
        }

        if (Dashboard && HttpPort is null)
        {
            throw new ArgumentException("Dashboard is served on the HTTP port: set HttpPort too");
        }

        if (HttpPort is { } port and (< 1 or > 65535))
        {
            throw new ArgumentException($"HttpPort must be a port number (1 to 65535), not {port}");
        }

        if (HttpMaxBodyBytes < 1)
        {
            throw new ArgumentException($"HttpMaxBodyBytes must be at least 1, not {HttpMaxBodyBytes}");
        }
    }

    /// <summary>Whether silos find each other through Redis (else: localhost clustering).</summary>
    public bool UsesRedis => Clustering.Equals("Redis", StringComparison.OrdinalIgnoreCase);
}
