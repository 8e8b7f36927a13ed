using OrleansKb.Grains;

namespace OrleansKb.Client;

/// <summary>Where a client finds its cluster and how it proves it belongs (deploy/README.md, "Clients").</summary>
public sealed class KbConnectOptions
{
    /// <summary>
    /// The gateways, <c>HOST:PORT</c>, comma-separated: the client uses any that answers, and goes on
    /// through the others when one fails. Unused with <see cref="RedisConnection"/>.
    /// </summary>
    public string Gateways { get; init; } = "localhost:30000";

    /// <summary>The Redis server of the cluster's membership: the gateways are read from it instead (every live silo's).</summary>
    public string? RedisConnection { get; init; }

    public string ClusterId { get; init; } = KbCluster.DefaultClusterId;

    public string ServiceId { get; init; } = KbCluster.DefaultServiceId;

    /// <summary>This client's certificate, when the cluster requires TLS.</summary>
    public ClusterTls Tls { get; init; } = new();

    /// <summary>Where this client connects, for messages.</summary>
    internal string Where => RedisConnection is { Length: > 0 } redis ? $"the gateways Redis {redis} lists" : Gateways;
}
