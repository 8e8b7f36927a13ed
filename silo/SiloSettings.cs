namespace OrleansKb.Silo;

/// <summary>
/// The silo's settings, from configuration: <c>appsettings.json</c>, environment variables
/// (<c>ORLEANSKB_SILOPORT</c>, <c>ORLEANSKB_GATEWAYPORT</c>, <c>ORLEANSKB_DATADIRECTORY</c>, …) or the
/// command line (<c>--SiloPort 11112</c>, <c>--DataDirectory DIR</c>, …).
/// </summary>
internal sealed class SiloSettings
{
    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    public string ClusterId { get; set; } = "orleanskb";

    public string ServiceId { get; set; } = "orleanskb";

    /// <summary>The silo port of the first silo, for the others to join (localhost clustering); empty for the first.</summary>
    public int? PrimarySiloPort { get; set; }

    /// <summary>Where spaces are kept: <c>File</c> (a data directory, the default) or <c>Memory</c> (a space lives while its activation does; nothing survives the silo).</summary>
    public string Store { get; set; } = "File";

    /// <summary>The data directory of the file store (default: <see cref="Persistence.FileSpaceStore.DefaultDirectory"/>).</summary>
    public string? DataDirectory { get; set; }

    /// <summary>A space takes a snapshot once its log has grown this much since the last one.</summary>
    public long SnapshotLogBytes { get; set; } = 256L << 20;
}
