using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Notices;
using PrimeDirective.Grains.Interfaces.Governance;
using PrimeDirective.Grains.Interfaces.Notices;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages.Officer;

/// <summary>
/// Breach notices, as <c>/v1/admin/breaches</c> handles them: declare one (regions, categories, exposure window,
/// description, advice, when we became aware; every affected person is told once), follow its fan-out's counts and its
/// 72-hour clock (every breach listed, overdue ones flagged), and record that the supervisory authority was notified.
/// </summary>
public sealed class BreachesModel : OfficerPageModel
{
    [BindProperty(SupportsGet = true, Name = "id")]
    public string? Id { get; set; }

    [BindProperty(Name = "regions")]
    public List<string> BreachRegions { get; set; } = [];

    [BindProperty(Name = "categories")]
    public List<string> Categories { get; set; } = [];

    [BindProperty(Name = "exposedFrom")]
    public string? ExposedFrom { get; set; }

    [BindProperty(Name = "exposedUntil")]
    public string? ExposedUntil { get; set; }

    [BindProperty(Name = "description")]
    public string? Description { get; set; }

    [BindProperty(Name = "advice")]
    public string? Advice { get; set; }

    [BindProperty(Name = "awareAt")]
    public string? AwareAt { get; set; }

    [BindProperty(Name = "authority")]
    public string? Authority { get; set; }

    [BindProperty(Name = "reference")]
    public string? Reference { get; set; }

    [BindProperty(Name = "notifiedAt")]
    public string? NotifiedAt { get; set; }

    /// <summary>Every breach declared, oldest first, with its clock.</summary>
    internal IReadOnlyList<BreachView> All { get; private set; } = [];

    /// <summary>The breach shown, with its counts.</summary>
    internal BreachView? Shown { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        All = await Desk<NoticeDesk>().BreachesAsync();
        if (Id is null)
        {
            return Page();
        }

        Shown = NoticeEndpoints.IsCampaignId(Id) && await NoticeEndpoints.Campaign(Grains, Users, Id).GetAsync() is { Campaign.Kind: NoticeKind.Breach } status
            ? BreachView.From(status)
            : null;
        return Shown is null ? NotFoundPage() : Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        All = await Desk<NoticeDesk>().BreachesAsync();
        var body = Checked(new BreachBody(
            [.. BreachRegions], [.. Categories], ExposedFrom?.Trim() ?? string.Empty, ExposedUntil?.Trim() ?? string.Empty, Description ?? string.Empty, Advice ?? string.Empty,
            AwareAt?.Trim()));
        if (body is null)
        {
            return Answer();
        }

        if (Governance.Governs(GovernedAction.Breach))
        {
            return Proposed(await Governance.ProposeAsync(body, OfficerId), "description");
        }

        var breach = await Desk<NoticeDesk>().DeclareBreachAsync(body, OfficerId);
        (Shown, Id, Message) = (breach, breach.Id, "The breach is declared: every affected person is being told.");
        All = await Desk<NoticeDesk>().BreachesAsync();
        return Page();
    }

    /// <summary>Records that the supervisory authority was notified of the breach shown.</summary>
    public async Task<IActionResult> OnPostAuthorityAsync()
    {
        var desk = Desk<NoticeDesk>();
        All = await desk.BreachesAsync();
        Shown = All.FirstOrDefault(breach => breach.Id == Id);
        if (Shown is null)
        {
            return NotFoundPage();
        }

        var body = Checked(new AuthorityNotificationBody(Authority ?? string.Empty, Reference ?? string.Empty, NotifiedAt?.Trim() ?? string.Empty));
        if (body is null)
        {
            return Answer();
        }

        switch (await desk.RecordAuthorityNotificationAsync(Shown.Id, body, OfficerId))
        {
            case Outcome<BreachView>.Done(var recorded):
                (Shown, Message, Authority, Reference, NotifiedAt) = (recorded, "The authority's notification is recorded.", null, null, null);
                All = await desk.BreachesAsync();
                return Page();
            case Outcome<BreachView>.Invalid invalid:
                Errors[invalid.Field] = invalid.Detail;
                return Answer();
            default:
                return NotFoundPage();
        }
    }
}
