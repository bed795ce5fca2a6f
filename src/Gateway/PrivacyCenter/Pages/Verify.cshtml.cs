using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using PrimeDirective.Gateway.Users;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>The code we sent, for a session: a sign-up's account is created here, and the session cookie set.</summary>
[EnableRateLimiting(SignUpEndpoints.RateLimitPolicy)]
public sealed class VerifyModel : PrivacyPageModel
{
    [BindProperty]
    public string Email { get; set; } = string.Empty;

    [BindProperty]
    public string Code { get; set; } = string.Empty;

    public IActionResult OnGet() => Redirect(PrivacyPaths.SignIn);

    public async Task<IActionResult> OnPostAsync()
    {
        var check = Check();
        var email = check.Email("email", Email ?? string.Empty);
        var code = (Code ?? string.Empty).Trim();
        check.Code("code", code);
        if (Collect(check))
        {
            if (await Desk<AccountDesk>().VerifyAsync(new VerifyBody(email, code)) is { } userId)
            {
                // An officer's session reaches the console only once the second factor is given too.
                Sessions.Start(HttpContext, userId);
                return Redirect(Desk<SecondFactorDesk>().IsOfficer(userId) ? PrivacyPaths.Factor : PrivacyPaths.Held);
            }

            Errors["code"] = "The code is wrong, expired or already used. Ask for a new one.";
        }

        if (ErrorFor("email") is not null)
        {
            return Redirect(PrivacyPaths.SignIn);
        }

        (Email, Code) = (email, string.Empty);
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Page();
    }
}
