namespace PrimeDirective.Grains.Hosting;

/// <summary>Process-level Orleans settings (configuration section <c>Orleans</c>).</summary>
public sealed class SiloStartupOptions
{
    public string? ClusterId { get; set; }

    public string? ServiceId { get; set; }

    public int? SiloPort { get; set; }

    public int? GatewayPort { get; set; }

    public string? AdvertisedIP { get; set; }
}
