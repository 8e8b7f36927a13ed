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

    /// <summary>Where spaces are kept: <c>File</c> (a data directory, the default), <c>Postgres</c> (a database every silo shares) or <c>Memory</c> (nothing survives the silo).</summary>
    public string Store { get; set; } = "File";

    /// <summary>The data directory of the file store (default: <see cref="Persistence.FileSpaceStore.DefaultDirectory"/>).</summary>
    public string? DataDirectory { get; set; }

    /// <summary>The PostgreSQL store's database, an Npgsql connection string (<c>Host=…;Username=…;Password=…;Database=…</c>).</summary>
    public string? PostgresConnection { get; set; }

    /// <summary>A space takes a snapshot once its log has grown this much since the last one.</summary>
    public long SnapshotLogBytes { get; set; } = 256L << 20;

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

    /// <summary>The settings from the same places the host reads them (appsettings.json, <c>ORLEANSKB_</c> variables, the command line), before the host is made: whether it must be a web host.</summary>
    public static SiloSettings Read(string[] args) =>
        new ConfigurationBuilder().AddJsonFile("appsettings.json", optional: true).AddEnvironmentVariables("ORLEANSKB_").AddCommandLine(args).Build().Get<SiloSettings>() ?? new SiloSettings();
}
