using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using PrimeDirective.Gateway.Users;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>Sign-in with a code by email; the same answer whether or not the address has an account.</summary>
[EnableRateLimiting(SignUpEndpoints.RateLimitPolicy)]
public sealed class SignInModel : PrivacyPageModel
{
    [BindProperty]
    public string Email { get; set; } = string.Empty;

    public bool CodeSent { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var check = Check();
        var email = check.Email("email", Email ?? string.Empty);
        if (!Collect(check))
        {
            return Page();
        }

        await Desk<AccountDesk>().SignInAsync(new SignInBody(email));
        (Email, CodeSent) = (email, true);
        return Page();
    }
}
