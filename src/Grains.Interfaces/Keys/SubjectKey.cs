namespace PrimeDirective.Grains.Interfaces.Keys;

/// <summary>Subject grain keys are <c>{region}/{pseudonym}</c>: the region is readable, the identity is not.</summary>
public static class SubjectKey
{
    /// <summary>The region a subject key names, or <c>null</c> if it names none.</summary>
    public static string? RegionOf(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 ? key[..slash] : null;
    }

    /// <summary>The region of a subject grain; throws for grains whose key names no region.</summary>
    public static string RegionOf(GrainId grainId) =>
        RegionOf(grainId.Key.ToString() ?? string.Empty) ?? throw new ArgumentException("The grain's key names no region.", nameof(grainId));
}
