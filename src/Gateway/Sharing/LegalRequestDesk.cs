using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Sharing;

namespace PrimeDirective.Gateway.Sharing;

/// <summary>
/// Legal requests, for the routes and the officer's page alike: received (with an optional gag and hold), decided once
/// in good faith, a running gag extended. The request lives in its person's region.
/// </summary>
internal sealed class LegalRequestDesk(UserGrains users, IGrainFactory grains)
{
    private const string Unknown = "legal request";

    /// <summary>Records a checked request about a person; unknown when the id names nobody we hold.</summary>
    public async Task<Outcome<LegalRequestView>> ReceiveAsync(LegalRequestBody body, string officerId)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (SubjectIds.Parse(body.Subject.UserId) is not { } parsed || !users.IsRegion(parsed.Region))
        {
            return new Outcome<LegalRequestView>.Unknown("subject");
        }

        var requestId = SubjectIds.New(parsed.Region);
        var receipt = new LegalRequestReceipt(requestId, body.Authority, body.Reference, body.Subject.UserId!, body.Categories, body.Gag, officerId, body.AuthorityKind);
        return await Grain(requestId).ReceiveAsync(receipt, body.PlaceHold) is { } view ? Outcome.Done(view) : new Outcome<LegalRequestView>.Unknown("subject");
    }

    /// <summary>The request and where it stands, or <c>null</c>.</summary>
    public async Task<LegalRequestView?> GetAsync(string requestId) => Known(requestId) ? await Grain(requestId).GetAsync() : null;

    /// <summary>Decides once: the decided request, with the package's URL when this very decision made the disclosure (shown this once).</summary>
    public async Task<Outcome<LegalRequestView>> DecideAsync(string requestId, LegalDecisionBody body, string officerId)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!Known(requestId))
        {
            return new Outcome<LegalRequestView>.Unknown(Unknown);
        }

        var result = await Grain(requestId).DecideAsync(body.Decision, body.Rationale, officerId);
        var view = result is { View: { } decided, CapabilitySecret: { } secret }
            ? decided with { PackageUrl = SharingDesk.PackageUrl(SubjectIds.Parse(requestId)!.Value.Region, secret), PackageExpiresAt = result.CapabilityExpiresAt }
            : result.View;
        return Answer(result.Outcome, view, "decision", "The request is already decided otherwise.");
    }

    /// <summary>Extends a gag that still runs to a later end.</summary>
    public async Task<Outcome<LegalRequestView>> ExtendGagAsync(string requestId, GagBody body, string officerId)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!Known(requestId))
        {
            return new Outcome<LegalRequestView>.Unknown(Unknown);
        }

        var (outcome, view) = await Grain(requestId).ExtendGagAsync(body.Until, officerId);
        return Answer(outcome, view, "until", "Only a gag that still runs can be extended, and only to a later end.");
    }

    private static Outcome<LegalRequestView> Answer(LegalCommandOutcome outcome, LegalRequestView? view, string field, string conflict) => outcome switch
    {
        LegalCommandOutcome.Done => Outcome.Done(view!),
        LegalCommandOutcome.Conflict => new Outcome<LegalRequestView>.Conflict(field, conflict, "Not possible in the request's state."),
        _ => new Outcome<LegalRequestView>.Unknown(Unknown),
    };

    private bool Known(string requestId) => SubjectIds.Parse(requestId) is { } parsed && users.IsRegion(parsed.Region);

    private ILegalRequestGrain Grain(string requestId) => grains.GetGrain<ILegalRequestGrain>(SharingKeys.LegalRequest(requestId));
}
