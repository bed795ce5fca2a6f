using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Sharing;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages.Officer;

/// <summary>
/// Legal requests, as <c>/v1/admin/legal-requests</c> handles them: record one (authority, reference, person,
/// categories, optional gag and hold), look one up, and decide it once (disclose in good faith, or reject with reasons).
/// </summary>
public sealed class LegalRequestsModel : OfficerPageModel
{
    [BindProperty(SupportsGet = true, Name = "id")]
    public string? Id { get; set; }

    [BindProperty(Name = "authority")]
    public string? Authority { get; set; }

    [BindProperty(Name = "authorityKind")]
    public string? AuthorityKind { get; set; }

    [BindProperty(Name = "reference")]
    public string? Reference { get; set; }

    [BindProperty(Name = "subject.userId")]
    public string? UserId { get; set; }

    [BindProperty(Name = "categories")]
    public List<string> Categories { get; set; } = [];

    [BindProperty(Name = "gagUntil")]
    public string? GagUntil { get; set; }

    [BindProperty(Name = "placeHold")]
    public bool PlaceHold { get; set; }

    [BindProperty(Name = "decision")]
    public string? Decision { get; set; }

    [BindProperty(Name = "rationale")]
    public string? Rationale { get; set; }

    [BindProperty(Name = "until")]
    public string? Until { get; set; }

    /// <summary>The request shown.</summary>
    public LegalRequestView? Shown { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (Id is null)
        {
            return Page();
        }

        Shown = await Desk<LegalRequestDesk>().GetAsync(Id);
        return Shown is null ? NotFoundPage() : Page();
    }

    public async Task<IActionResult> OnPostReceiveAsync()
    {
        var gag = Instant("gagUntil", GagUntil, required: false);
        var kind = string.IsNullOrEmpty(AuthorityKind) ? LegalAuthorityKind.Other : WireNames.TryParse<LegalAuthorityKind>(AuthorityKind);
        if (kind is null)
        {
            Errors["authorityKind"] = $"must be one of {string.Join(", ", WireNames.All<LegalAuthorityKind>())}";
        }

        var body = Checked(new LegalRequestBody(
            Authority ?? string.Empty, Reference ?? string.Empty, new LegalSubjectBody(string.IsNullOrWhiteSpace(UserId) ? null : UserId.Trim()),
            WireNames.ParseAll<DataCategory>(Categories), gag, PlaceHold, kind ?? LegalAuthorityKind.Other));
        if (body is null || Errors.Count > 0)
        {
            return Answer();
        }

        if (await Desk<LegalRequestDesk>().ReceiveAsync(body, OfficerId) is not Outcome<LegalRequestView>.Done(var view))
        {
            Errors["subject.userId"] = "We hold nothing about this person.";
            return Answer();
        }

        (Shown, Id, Message) = (view, view.Request.RequestId, "The request is recorded.");
        (Authority, AuthorityKind, Reference, UserId, Categories, GagUntil, PlaceHold) = (null, null, null, null, [], null, false);
        return Page();
    }

    public async Task<IActionResult> OnPostDecideAsync()
    {
        if (Id is null || await Desk<LegalRequestDesk>().GetAsync(Id) is not { } current)
        {
            return NotFoundPage();
        }

        Shown = current;
        var kind = WireNames.TryParse<LegalDecisionKind>(Decision);
        if (kind is null)
        {
            Errors["decision"] = "choose disclose or reject";
        }

        var body = Checked(new LegalDecisionBody(kind ?? LegalDecisionKind.Reject, Rationale ?? string.Empty));
        if (body is null || Errors.Count > 0)
        {
            return Answer();
        }

        if (await Governance.GovernsAsync(Id, body))
        {
            return Proposed(await Governance.ProposeAsync(Id, body, OfficerId), "decision");
        }

        switch (await Desk<LegalRequestDesk>().DecideAsync(Id, body, OfficerId))
        {
            case Outcome<LegalRequestView>.Done(var decided):
                (Shown, Message, Rationale, Decision) = (decided, "Decided.", null, null);
                return Page();
            case Outcome<LegalRequestView>.Conflict conflict:
                return Conflict(conflict.Field, conflict.Detail);
            default:
                return NotFoundPage();
        }
    }

    public async Task<IActionResult> OnPostGagAsync()
    {
        if (Id is null || await Desk<LegalRequestDesk>().GetAsync(Id) is not { } current)
        {
            return NotFoundPage();
        }

        Shown = current;
        var until = Instant("until", Until, required: true);
        var body = until is null ? null : Checked(new GagBody(until.Value));
        if (body is null || Errors.Count > 0)
        {
            return Answer();
        }

        switch (await Desk<LegalRequestDesk>().ExtendGagAsync(Id, body, OfficerId))
        {
            case Outcome<LegalRequestView>.Done(var extended):
                (Shown, Message, Until) = (extended, "The gag is extended.", null);
                return Page();
            case Outcome<LegalRequestView>.Conflict conflict:
                return Conflict(conflict.Field, conflict.Detail);
            default:
                return NotFoundPage();
        }
    }
}
