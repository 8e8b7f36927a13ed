using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;
using OrleansKb.Client;

namespace OrleansKb.Hosting;

/// <summary>
/// TLS between the members of a cluster — silos and clients alike (deploy/README.md, "TLS"). Every
/// member presents its certificate and requires one from the other side, trusted if it chains to
/// <see cref="TrustedCertificateFile"/> (by default the member's own certificate: one certificate
/// shared by the whole cluster). A process without such a certificate cannot talk to a silo at all.
/// Bound from the configuration section <c>Tls</c>; a client's <see cref="KbConnectOptions.Tls"/>.
/// </summary>
public sealed class ClusterTls : IKbClientTls
{
    /// <summary>This member's certificate and private key, a PKCS#12 file (<c>.pfx</c>); TLS is off without one.</summary>
    public string? CertificateFile { get; set; }

    /// <summary>The password of <see cref="CertificateFile"/>, if it has one.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>The certificate a peer's must chain to (a CA's, PEM or DER); by default <see cref="CertificateFile"/>'s own.</summary>
    public string? TrustedCertificateFile { get; set; }

    /// <summary>Whether TLS is on.</summary>
    public bool Enabled => !string.IsNullOrEmpty(CertificateFile);

    /// <summary>Makes <paramref name="client"/> connect with this member's certificate; a file that cannot be read is an <see cref="ArgumentException"/> that names it.</summary>
    public void Configure(IClientBuilder client)
    {
        var certificates = Load();
        client.UseTls(options => Configure(options, certificates));
    }

    /// <summary>
    /// Sets <paramref name="options"/> to present <paramref name="certificates"/>' local one and require a
    /// peer's that chains to the trusted one; a peer's certificate refused is handed to <paramref name="refused"/>.
    /// </summary>
    public static void Configure(TlsOptions options, (X509Certificate2 Local, X509Certificate2 Trusted) certificates, Action<X509Certificate2?>? refused = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (local, trusted) = certificates;
        options.LocalCertificate = local;
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;

        // Trust is pinned to the cluster's own root, not the machine's store; names are not checked,
        // since silos reach each other by address.
        options.RemoteCertificateValidation = (certificate, _, _) =>
        {
            var trustedPeer = ChainsTo(certificate, trusted);
            if (!trustedPeer)
            {
                refused?.Invoke(certificate);
            }

            return trustedPeer;
        };
    }

    /// <summary>Whether <paramref name="certificate"/> chains to <paramref name="trusted"/> (and is in its validity period).</summary>
    public static bool ChainsTo(X509Certificate2? certificate, X509Certificate2 trusted)
    {
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <summary>This member's certificate and the one peers' must chain to; a file that cannot be read is an <see cref="ArgumentException"/> that names it.</summary>
    public (X509Certificate2 Local, X509Certificate2 Trusted) Load()
    {
        var file = CertificateFile ?? throw new InvalidOperationException("TLS is off: no Tls:CertificateFile");
        X509Certificate2 local;
        try
        {
            local = X509CertificateLoader.LoadPkcs12FromFile(file, CertificatePassword);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"Tls:CertificateFile {file}: cannot read the certificate ({e.Message.TrimEnd('.')}; a PKCS#12 .pfx file with its key, and Tls:CertificatePassword if it has one)", e);
        }

        if (!local.HasPrivateKey)
        {
            throw new ArgumentException($"Tls:CertificateFile {file}: holds no private key");
        }

        if (TrustedCertificateFile is not { Length: > 0 } trustedFile)
        {
            return (local, local);
        }

        try
        {
            return (local, X509CertificateLoader.LoadCertificateFromFile(trustedFile));
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"Tls:TrustedCertificateFile {trustedFile}: cannot read the certificate ({e.Message.TrimEnd('.')})", e);
        }
    }
}
