using System.Globalization;

namespace PrimeDirective.Grains.Interfaces.Keys;

/// <summary>Keys of a region's daily destruction ledger: <c>{region}/ledger/{yyyy-MM-dd}</c>.</summary>
public static class LedgerKeys
{
    /// <summary>The ledger of <paramref name="region"/> for the UTC day of <paramref name="at"/>.</summary>
    public static string For(string region, DateTimeOffset at) =>
        $"{region}/ledger/{at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";
}
