namespace PrimeDirective.Grains.Interfaces.Sharing;

/// <summary>Grain keys of the sharing capability: region first, like every subject's, and nothing personal.</summary>
public static class SharingKeys
{
    /// <summary>The processors registry, in the home region.</summary>
    public static string Registry(string homeRegion) => $"{homeRegion}/processors";

    /// <summary>A package pushed to a processor.</summary>
    public static string Push(string region, string disclosureId) => $"{region}/push-{disclosureId}";

    /// <summary>A package served at a capability URL: keyed by the hash of its secret, never the secret.</summary>
    public static string Capability(string region, string secretHash) => $"{region}/cap-{secretHash}";

    /// <summary>A legal request (its id is <c>{region}-{random}</c>, not personal).</summary>
    public static string LegalRequest(string requestId) =>
        Keys.SubjectIds.Parse(requestId) is { } parsed ? $"{parsed.Region}/legal-{parsed.Random}" : throw new ArgumentException("Not a well-formed request id.", nameof(requestId));

    /// <summary>The capability token a URL carries: <c>{region}.{secret}</c>.</summary>
    public static string Token(string region, string secret) => $"{region}.{secret}";

    /// <summary>The region and secret of a well-formed token, or <c>null</c>.</summary>
    public static (string Region, string Secret)? ParseToken(string? token)
    {
        if (token is null || token.Length > 128)
        {
            return null;
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot < 1)
        {
            return null;
        }

        var (region, secret) = (token[..dot], token[(dot + 1)..]);
        var wellFormed = region.All(char.IsAsciiLetterLower) && secret.Length == 43 && secret.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
        return wellFormed ? (region, secret) : null;
    }
}
