namespace PrimeDirective.Grains.Interfaces.Sharing;

/// <summary>
/// The ids of the notices a person gets about a legal request, one per stage (<c>legal-request-{id}-received</c>, and
/// <c>legal-request-{id}</c> for the decision, the id such notices always had), and how to read them back.
/// </summary>
public static class LegalNoticeIds
{
    /// <summary>The stage of the notice that the request was received.</summary>
    public const string ReceivedStage = "received";

    /// <summary>The stage of the notice of the decision.</summary>
    public const string DecidedStage = "decided";

    private const string Prefix = "legal-request-";

    private const string ReceivedSuffix = "-received";

    /// <summary>The id of the notice that <paramref name="requestId"/> was received.</summary>
    public static string Received(string requestId) => Prefix + requestId + ReceivedSuffix;

    /// <summary>The id of the notice of <paramref name="requestId"/>'s decision.</summary>
    public static string Decided(string requestId) => Prefix + requestId;

    /// <summary>The legal request and stage a notice id names; <c>null</c> for an id that is not a legal-request notice's.</summary>
    public static (string RequestId, string Stage)? Parse(string? noticeId)
    {
        if (noticeId is null || !noticeId.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = noticeId[Prefix.Length..];
        var (requestId, stage) = rest.EndsWith(ReceivedSuffix, StringComparison.Ordinal)
            ? (rest[..^ReceivedSuffix.Length], ReceivedStage)
            : (rest, DecidedStage);
        return Keys.SubjectIds.Parse(requestId) is null ? null : (requestId, stage);
    }
}
