using System.Globalization;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;

namespace PrimeDirective.Grains.Sharing;

/// <summary>
/// What a person is told about a legal request for their data (policy: "We'll notify you when we're asked to hand over
/// your personal information"): once when it is received, once when it is decided; each kept in the account and emailed.
/// </summary>
public static class LegalRequestNotices
{
    private const string Defences = " Nothing in our policy limits the legal defences or objections you may have.";

    /// <summary>The notice that the request was received.</summary>
    public static LegalRequestNotice Received(LegalRequestReceipt request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new LegalRequestNotice(
            LegalNoticeIds.Received(request.RequestId), request.RequestId, LegalNoticeIds.ReceivedStage, "We were asked to hand over your personal information",
            Asked(request) + "We hand over nothing unless we believe in good faith that the law requires it, and we will tell you what we decide." + Defences);
    }

    /// <summary>The notice of the decision (its id is the one such notices always had).</summary>
    public static LegalRequestNotice Decided(LegalRequestReceipt request, LegalDecision decision)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(decision);
        var what = decision.Kind == LegalDecisionKind.Disclose
            ? $"We believe in good faith that the law requires it, and disclosed it: {decision.Rationale}"
            : $"We refused: {decision.Rationale}";
        return new LegalRequestNotice(
            LegalNoticeIds.Decided(request.RequestId), request.RequestId, LegalNoticeIds.DecidedStage,
            decision.Kind == LegalDecisionKind.Disclose ? "We handed over your personal information, as the law requires" : "We refused to hand over your personal information",
            Asked(request) + what + Defences);
    }

    private static string Asked(LegalRequestReceipt request)
    {
        var categories = string.Join(", ", request.Categories.Select(WireNames.Of));
        return string.Create(CultureInfo.InvariantCulture, $"{request.Authority} asked us (reference {request.Reference}) to hand over your {categories} data. ");
    }
}
