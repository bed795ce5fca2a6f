using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Notices;
using PrimeDirective.Grains.Interfaces.Notices;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages.Officer;

/// <summary>
/// Policy versions, as <c>/v1/admin/policy-versions</c> publishes them: immutable once published, never taking effect
/// before one already published; a substantive one is announced to every account and unlinked cluster (its counts shown
/// here) and takes effect no sooner than the minimum notice period after publication.
/// </summary>
public sealed class PolicyVersionsModel : OfficerPageModel
{
    [BindProperty(Name = "version")]
    public string? Version { get; set; }

    [BindProperty(Name = "effectiveAt")]
    public string? EffectiveAt { get; set; }

    [BindProperty(Name = "substantive")]
    public bool Substantive { get; set; }

    [BindProperty(Name = "summary")]
    public string? Summary { get; set; }

    [BindProperty(Name = "text")]
    public string? Text { get; set; }

    /// <summary>Every version, oldest first, with the announcement's counts for substantive ones.</summary>
    public IReadOnlyList<(PolicyVersionSummary Version, NoticeProgress? Announcement)> History { get; private set; } = [];

    public string InEffect { get; private set; } = string.Empty;

    /// <summary>The version whose announcement's counts are shown in full (<c>?announcement=</c>).</summary>
    [BindProperty(SupportsGet = true, Name = "announcement")]
    public string? Announced { get; set; }

    /// <summary>The chosen announcement's counts, as <c>/v1/admin/policy-versions/{version}/announcement</c> reads them.</summary>
    public NoticeProgress? Progress { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        await ListAsync();
        if (Announced is null)
        {
            return Page();
        }

        // The route's 404 for a version never announced (unknown, or not substantive).
        Progress = PolicyVersionBody.IsVersionName(Announced)
            ? (await NoticeEndpoints.Campaign(Grains, Users, NoticeKeys.PolicyChange(Announced)).GetAsync())?.Progress
            : null;
        return Progress is null ? NotFoundPage() : Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var body = Checked(new PolicyVersionBody(Version?.Trim() ?? string.Empty, EffectiveAt?.Trim() ?? string.Empty, Substantive, Summary ?? string.Empty, Text ?? string.Empty));
        if (body is not null && await Governance.GovernsAsync(body))
        {
            await ListAsync();
            return Proposed(await Governance.ProposeAsync(body, OfficerId), "version");
        }

        if (body is not null)
        {
            switch (await Desk<NoticeDesk>().PublishAsync(body))
            {
                case Outcome<(PolicyDocument, bool)>.Done((var published, _)):
                    Message = $"Published version {published.Version}, in effect from {PolicyModel.Day(published.EffectiveAt)}.";
                    (Version, EffectiveAt, Substantive, Summary, Text) = (null, null, false, null, null);
                    break;
                case Outcome<(PolicyDocument, bool)>.Conflict:
                    Errors["version"] = "exists already: published versions are immutable, publish a new version to correct one";
                    break;
                case Outcome<(PolicyDocument, bool)>.Invalid invalid:
                    Errors[invalid.Field] = invalid.Detail;
                    break;
            }
        }

        await ListAsync();
        return Answer();
    }

    private async Task ListAsync()
    {
        var view = await NoticeEndpoints.Registry(Grains, Users).GetAsync();
        InEffect = view.InEffect.Version;
        History = await Task.WhenAll(view.History.Select(async version => (version, version.Substantive
            ? (await NoticeEndpoints.Campaign(Grains, Users, NoticeKeys.PolicyChange(version.Version)).GetAsync())?.Progress
            : null)));
    }
}
