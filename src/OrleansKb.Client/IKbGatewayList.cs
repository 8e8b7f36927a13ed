namespace OrleansKb.Client;

/// <summary>
/// Where a client reads the cluster's gateways when it is not given their addresses: a membership
/// table (<see cref="KbConnectOptions.GatewayList"/>). Orleans' membership packages come with its
/// silo runtime, which this library leaves out: <c>RedisGatewayList</c> in OrleansKb.Hosting is the
/// one the command-line client uses.
/// </summary>
public interface IKbGatewayList
{
    /// <summary>Where the gateways are read from, for messages (e.g. <c>the gateways Redis HOST:PORT lists</c>).</summary>
    string Description { get; }

    /// <summary>Makes <paramref name="client"/> read its gateways from this list.</summary>
    void Configure(IClientBuilder client);
}
