using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Notices;
using PrimeDirective.Grains.Interfaces.Notices;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>
/// The public policy page, as <c>GET /v1/policy</c> and <c>/v1/policy/{version}</c> read the registry: the version in
/// effect (or the one asked for), its effective date at the top, its text, then every version with its summary.
/// </summary>
public sealed class PolicyModel : PrivacyPageModel
{
    /// <summary>The version shown.</summary>
    public PolicyVersion Shown { get; private set; } = null!;

    /// <summary>The version in effect now.</summary>
    public string InEffect { get; private set; } = string.Empty;

    /// <summary>Every published version, oldest first.</summary>
    public IReadOnlyList<PolicyVersionSummary> History { get; private set; } = [];

    /// <summary>The policy's text as HTML (every character of it encoded: the text never becomes markup).</summary>
    public Microsoft.AspNetCore.Html.IHtmlContent Text => PolicyMarkdown.Render(Shown.Text);

    /// <summary>Whether the shown version is still to take effect.</summary>
    public bool Upcoming => Shown.EffectiveAt > Time.GetUtcNow();

    public async Task<IActionResult> OnGetAsync(string? version)
    {
        var registry = Grains.GetGrain<IPolicyRegistryGrain>(PolicyKeys.Registry(Users.Home));
        var view = await registry.GetAsync();
        (InEffect, History) = (view.InEffect.Version, view.History);
        if (version is null)
        {
            Shown = view.InEffect;
            return Page();
        }

        if (!PolicyVersionBody.IsVersionName(version) || await registry.GetVersionAsync(version) is not { } found)
        {
            return NotFoundPage();
        }

        Shown = found;
        return Page();
    }

    /// <summary>A version's own page.</summary>
    public static string PathOf(string version) => PrivacyPaths.Policy + "/" + Uri.EscapeDataString(version);

    /// <summary>A date as the policy gives it.</summary>
    public static string Day(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
