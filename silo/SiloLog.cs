using Microsoft.Extensions.Logging;

namespace OrleansKb.Silo;

/// <summary>What the silo host logs itself.</summary>
internal static partial class SiloLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a TLS peer: its certificate ({Subject}, {Thumbprint}) does not chain to the cluster's trusted certificate")]
    public static partial void TlsPeerRefused(ILogger logger, string? subject, string? thumbprint);
}
