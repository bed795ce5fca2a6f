using Microsoft.AspNetCore.Mvc;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>Signing out: the session's token stops working at once, everywhere, and the cookie goes.</summary>
public sealed class SignOutModel : PrivacyPageModel
{
    public IActionResult OnGet() => Redirect(PrivacyPaths.Home);

    public async Task<IActionResult> OnPostAsync()
    {
        if (Session is { } session)
        {
            await Sessions.EndAsync(HttpContext, session);
        }
        else
        {
            PrivacySessions.Forget(HttpContext);
        }

        return Redirect(PrivacyPaths.Home + "?signed-out=true");
    }
}
