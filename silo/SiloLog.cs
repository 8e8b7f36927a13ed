using Microsoft.Extensions.Logging;

namespace OrleansKb.Silo;

/// <summary>What the silo host logs itself.</summary>
internal static partial class SiloLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a TLS peer: its certificate ({Subject}, {Thumbprint}) does not chain to the cluster's trusted certificate")]
    public static partial void TlsPeerRefused(ILogger logger, string? subject, string? thumbprint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The HTTP API listens on {Address} without TLS: its API key travels in the clear. Give the silo a certificate (Tls:CertificateFile) or listen on loopback.")]
    public static partial void KeyInTheClear(ILogger logger, string address);
}
