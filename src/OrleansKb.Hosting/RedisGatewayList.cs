using Microsoft.Extensions.Hosting;
using OrleansKb.Client;

namespace OrleansKb.Hosting;

/// <summary>The gateways of every live silo, read from the cluster's Redis membership at <paramref name="connection"/> (<c>HOST:PORT</c>).</summary>
public sealed class RedisGatewayList(string connection) : IKbGatewayList
{
    public string Description => $"the gateways Redis {connection} lists";

    public void Configure(IClientBuilder client) => client.UseRedisClustering(connection);
}
