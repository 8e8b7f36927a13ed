namespace OrleansKb.Silo;

/// <summary>
/// The silo's settings, from configuration: <c>appsettings.json</c>, environment variables
/// (<c>ORLEANSKB_SILOPORT</c>, <c>ORLEANSKB_GATEWAYPORT</c>, <c>ORLEANSKB_CLUSTERID</c>,
/// <c>ORLEANSKB_SERVICEID</c>, <c>ORLEANSKB_PRIMARYSILO</c>) or the command line
/// (<c>--SiloPort 11112</c>, …).
/// </summary>
internal sealed class SiloSettings
{
    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    public string ClusterId { get; set; } = "orleanskb";

    public string ServiceId { get; set; } = "orleanskb";

    /// <summary>The silo port of the first silo, for the others to join (localhost clustering); empty for the first.</summary>
    public int? PrimarySiloPort { get; set; }
}
