namespace OrleansKb.Client;

/// <summary>
/// TLS for a client's connections to the gateways (<see cref="KbConnectOptions.Tls"/>). Orleans' TLS
/// package comes with its silo runtime, which this library leaves out: <c>ClusterTls</c> in
/// OrleansKb.Hosting is the implementation the command-line client and the silo use.
/// </summary>
public interface IKbClientTls
{
    /// <summary>Adds TLS to <paramref name="client"/>; settings that cannot be used (a certificate that cannot be read) are an <see cref="ArgumentException"/> that names them.</summary>
    void Configure(IClientBuilder client);
}
