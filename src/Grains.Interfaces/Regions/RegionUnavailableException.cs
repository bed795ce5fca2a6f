namespace PrimeDirective.Grains.Interfaces.Regions;

/// <summary>
/// No live silo of a subject's home region can take the request. The data is never processed elsewhere:
/// the caller gets this and retries later (the gateway answers 503 with Retry-After).
/// </summary>
[GenerateSerializer]
[Alias("PrimeDirective.RegionUnavailableException")]
public sealed class RegionUnavailableException : OrleansException
{
    /// <summary>Creates the exception for <paramref name="region"/>.</summary>
    public RegionUnavailableException(string region)
        : base($"No live silo of region '{region}' is available; its data is processed nowhere else.") => Region = region;

    /// <summary>For serializers.</summary>
    public RegionUnavailableException()
    {
    }

    /// <summary>For serializers.</summary>
    public RegionUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The region that has no live silo.</summary>
    [Id(0)]
    public string? Region { get; private set; }
}
