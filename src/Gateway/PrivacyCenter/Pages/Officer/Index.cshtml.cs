namespace PrimeDirective.Gateway.PrivacyCenter.Pages.Officer;

/// <summary>The officer console's front page (role <c>privacy-officer</c> only; others get the not-found page).</summary>
public sealed class OfficerIndexModel : PrivacyPageModel
{
    protected override bool RequiresOfficer => true;

    public void OnGet()
    {
    }
}
