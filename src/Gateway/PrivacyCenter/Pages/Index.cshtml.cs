using Microsoft.AspNetCore.Mvc;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>The Privacy Center's front page.</summary>
public sealed class IndexModel : PrivacyPageModel
{
    /// <summary>Set after signing out, to say so.</summary>
    [BindProperty(SupportsGet = true, Name = "signed-out")]
    public bool SignedOut { get; set; }

    public void OnGet()
    {
    }
}
