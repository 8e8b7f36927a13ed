namespace OrleansKb.Client;

/// <summary>Where a client finds its cluster and how it proves it belongs (deploy/README.md, "Clients").</summary>
public sealed class KbConnectOptions
{
    /// <summary>
    /// The gateways, <c>HOST:PORT</c>, comma-separated: the client uses any that answers, and goes on
    /// through the others when one fails. Unused with <see cref="GatewayList"/>.
    /// </summary>
    public string Gateways { get; init; } = "localhost:30000";

    /// <summary>Where the gateways are read from instead of <see cref="Gateways"/> (every live silo's), e.g. the cluster's Redis membership.</summary>
    public IKbGatewayList? GatewayList { get; init; }

    /// <summary>The cluster's id (the silos' <c>ClusterId</c>).</summary>
    public string ClusterId { get; init; } = KbCluster.DefaultClusterId;

    /// <summary>The service's id (the silos' <c>ServiceId</c>).</summary>
    public string ServiceId { get; init; } = KbCluster.DefaultServiceId;

    /// <summary>This client's TLS, when the cluster requires it; plain TCP without.</summary>
    public IKbClientTls? Tls { get; init; }

    /// <summary>Where this client connects, for messages.</summary>
    internal string Where => GatewayList?.Description ?? Gateways;
}
