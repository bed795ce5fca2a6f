using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Notices;
using PrimeDirective.Grains.Interfaces.Governance;
using PrimeDirective.Grains.Interfaces.Notices;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages.Officer;

/// <summary>
/// Breach notices, as <c>/v1/admin/breaches</c> handles them: declare one (regions, categories, exposure window,
/// description, advice; every affected person is told once) and follow its fan-out's counts.
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

    /// <summary>The breach shown, with its counts.</summary>
    internal BreachView? Shown { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
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
        var body = Checked(new BreachBody(
            [.. BreachRegions], [.. Categories], ExposedFrom?.Trim() ?? string.Empty, ExposedUntil?.Trim() ?? string.Empty, Description ?? string.Empty, Advice ?? string.Empty));
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
        return Page();
    }
}
