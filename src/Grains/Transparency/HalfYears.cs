using System.Globalization;

namespace PrimeDirective.Grains.Transparency;

/// <summary>Half-years as the transparency report names them: <c>yyyy-H1</c> (January to June) and <c>yyyy-H2</c> (July to December), in UTC.</summary>
public static class HalfYears
{
    /// <summary>The half-year <paramref name="at"/> falls in.</summary>
    public static string Of(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return Name(utc.Year, utc.Month <= 6 ? 1 : 2);
    }

    /// <summary>The first and last day of <paramref name="period"/>; <c>null</c> when it is no half-year's name.</summary>
    public static (DateOnly From, DateOnly To)? Span(string period)
    {
        if (period is not [_, _, _, _, '-', 'H', '1' or '2'] ||
            !int.TryParse(period.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year) || year < 1)
        {
            return null;
        }

        return period[6] == '1' ? (new DateOnly(year, 1, 1), new DateOnly(year, 6, 30)) : (new DateOnly(year, 7, 1), new DateOnly(year, 12, 31));
    }

    /// <summary>The half-year after <paramref name="period"/>.</summary>
    public static string Next(string period) =>
        period[6] == '1' ? Name(int.Parse(period.AsSpan(0, 4), CultureInfo.InvariantCulture), 2) : Name(int.Parse(period.AsSpan(0, 4), CultureInfo.InvariantCulture) + 1, 1);

    private static string Name(int year, int half) => string.Create(CultureInfo.InvariantCulture, $"{year:D4}-H{half}");
}
