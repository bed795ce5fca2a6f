using System.Security.Cryptography;

namespace PrimeDirective.Grains.Interfaces.Keys;

/// <summary>
/// Ids of accounts and privacy requests: <c>{region}-{32 random hex digits}</c>. URL-safe, unguessable, and they
/// name their region, so a request for them is routed there without any lookup.
/// </summary>
public static class SubjectIds
{
    private const int RandomHexDigits = 32;

    /// <summary>A fresh id in <paramref name="region"/>.</summary>
    public static string New(string region) => $"{region}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(RandomHexDigits / 2))}";

    /// <summary>The region and random part of a well-formed id, or <c>null</c>.</summary>
    public static (string Region, string Random)? Parse(string? id)
    {
        if (id is null || id.Length > 64)
        {
            return null;
        }

        var dash = id.IndexOf('-', StringComparison.Ordinal);
        if (dash < 1)
        {
            return null;
        }

        var region = id[..dash];
        var random = id[(dash + 1)..];
        var wellFormed = region.All(char.IsAsciiLetterLower) && random.Length == RandomHexDigits && random.All(char.IsAsciiHexDigitLower);
        return wellFormed ? (region, random) : null;
    }
}
