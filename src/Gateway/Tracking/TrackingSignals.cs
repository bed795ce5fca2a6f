using Microsoft.Extensions.Primitives;

namespace PrimeDirective.Gateway.Tracking;

/// <summary>
/// The browser's tracking signals: Do Not Track (<c>DNT</c>) and Global Privacy Control (<c>Sec-GPC</c>). A signal is on
/// when any of its field lines (or comma-separated members, as proxies join repeated lines) is exactly <c>1</c>; the
/// whitespace around a field value is not part of it (RFC 9110 §5.5), so <c>"1 "</c> is on, while <c>0</c>, <c>01</c>,
/// <c>true</c> or <c>1.0</c> are not.
/// </summary>
internal static class TrackingSignals
{
    public const string DoNotTrackHeader = "DNT";

    public const string GlobalPrivacyControlHeader = "Sec-GPC";

    /// <summary>The Tracking Status Value header of the W3C Tracking Preference Expression.</summary>
    public const string TrackingStatusHeader = "Tk";

    /// <summary>Whether the request carries <c>DNT: 1</c>.</summary>
    public static bool DoNotTrack(HttpRequest request) => IsOne(request?.Headers[DoNotTrackHeader] ?? StringValues.Empty);

    /// <summary>Whether the request carries <c>Sec-GPC: 1</c>.</summary>
    public static bool GlobalPrivacyControl(HttpRequest request) => IsOne(request?.Headers[GlobalPrivacyControlHeader] ?? StringValues.Empty);

    /// <summary>Whether the person asked not to be tracked, by either signal.</summary>
    public static bool OptedOut(HttpRequest request) => DoNotTrack(request) || GlobalPrivacyControl(request);

    /// <summary><c>N</c> (not tracking) when the request opted out, else <c>T</c> (tracking).</summary>
    public static string Status(HttpRequest request) => OptedOut(request) ? "N" : "T";

    private static bool IsOne(StringValues lines)
    {
        foreach (var line in lines)
        {
            foreach (var member in (line ?? string.Empty).Split(','))
            {
                if (member.Trim(' ', '\t') == "1")
                {
                    return true;
                }
            }
        }

        return false;
    }
}
