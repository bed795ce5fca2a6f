using System.Globalization;
using System.Text.RegularExpressions;

namespace PrimeDirective.Grains.Interfaces.Privacy;

/// <summary>The one reader of instants people and officers send: ISO 8601 date and time with an explicit offset.</summary>
public static partial class IsoInstant
{
    /// <summary>
    /// The instant <paramref name="text"/> names (<c>2027-01-31T00:00:00Z</c>, <c>…+02:00</c>), or <c>null</c>. Only an
    /// explicit offset names an instant: without one it would be read in the server's time zone.
    /// </summary>
    public static DateTimeOffset? Parse(string? text) =>
        text is not null && Pattern().IsMatch(text) &&
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed) ? parsed : null;

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
