using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Grains.Interfaces.Analytics;

namespace PrimeDirective.Gateway.Tracking;

/// <summary>
/// A site analytics event: the page's path and optionally a campaign and a conversion label. Labels, not free text, so
/// that nothing a person typed can ride along.
/// </summary>
internal sealed partial record AnalyticsEventBody(string Page, string? Campaign = null, string? Conversion = null) : IRequestBody
{
    public const int MaxPageLength = 512;

    /// <summary>Longer path segments are refused: a page's name is short, a token, hash or id often is not.</summary>
    public const int MaxSegmentLength = 64;

    public IRequestBody Check(RequestCheck check)
    {
        check.Require(PagePattern().IsMatch(Page) && Page.Length <= MaxPageLength, "page", $"must be a path of at most {MaxPageLength} characters starting with '/', without query or fragment");
        check.Require(
            !MayIdentify(Page),
            "page",
            $"must not carry an identifier: no '@' (also percent-encoded) and no segment longer than {MaxSegmentLength} characters");
        check.Require(Campaign is null || LabelPattern().IsMatch(Campaign), "campaign", "must be 1 to 64 characters of a-z, 0-9, '_', '.' or '-'");
        check.Require(Conversion is null || LabelPattern().IsMatch(Conversion), "conversion", "must be 1 to 64 characters of a-z, 0-9, '_', '.' or '-'");
        return this;
    }

    public AnalyticsEvent ToEvent() => new(Page, Campaign, Conversion);

    /// <summary>
    /// Whether a path may name someone: an '@' in any segment (an address like <c>/u/alice@example.com</c>, a handle
    /// like <c>/@alice</c>), also once percent-decoded however often it was encoded, or a segment too long for a page name.
    /// </summary>
    private static bool MayIdentify(string page)
    {
        var decoded = page;
        for (var round = 0; round < 4; round++)
        {
            if (decoded.Contains('@', StringComparison.Ordinal) ||
                decoded.Split('/').Any(segment => segment.Length > MaxSegmentLength))
            {
                return true;
            }

            var next = Uri.UnescapeDataString(decoded);
            if (next == decoded)
            {
                return false;
            }

            decoded = next;
        }

        // Still encoded after several rounds: nobody's page is named that way.
        return true;
    }

    [GeneratedRegex("^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$")]
    private static partial Regex PagePattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9_.-]{0,63}$")]
    private static partial Regex LabelPattern();
}

/// <summary>The GPC support resource (<c>/.well-known/gpc.json</c>).</summary>
internal sealed record GpcSupport([property: JsonPropertyName("gpc")] bool Gpc, [property: JsonPropertyName("lastUpdate")] string LastUpdate);

/// <summary>The DNT tracking status resource (<c>/.well-known/dnt/</c>): <c>N</c> not tracking, <c>T</c> tracking.</summary>
internal sealed record TrackingStatus([property: JsonPropertyName("tracking")] string Tracking);

/// <summary>The tracking routes' JSON, source-generated.</summary>
[JsonSerializable(typeof(AnalyticsEventBody))]
[JsonSerializable(typeof(GpcSupport))]
[JsonSerializable(typeof(TrackingStatus))]
internal sealed partial class TrackingJson : JsonSerializerContext;
