using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using PrimeDirective.Gateway.Users;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>Sign-up with a code by email; under 13 refused kindly, before anything is looked up, stored or sent.</summary>
[EnableRateLimiting(SignUpEndpoints.RateLimitPolicy)]
public sealed class SignUpModel : PrivacyPageModel
{
    [BindProperty]
    public string Email { get; set; } = string.Empty;

    [BindProperty]
    public string Name { get; set; } = string.Empty;

    [BindProperty]
    public string BirthDate { get; set; } = string.Empty;

    [BindProperty]
    public string Region { get; set; } = string.Empty;

    public bool Refused { get; private set; }

    public bool CodeSent { get; private set; }

    public void OnGet() => Region = Users.Home;

    public async Task<IActionResult> OnPostAsync()
    {
        var check = Check();
        var email = check.Email("email", Email ?? string.Empty);
        var name = check.Text("name", Name ?? string.Empty);
        var birthDate = check.BirthDate("birthDate", BirthDate ?? string.Empty);
        var region = check.Region("region", Region ?? string.Empty);
        if (!Collect(check))
        {
            return Page();
        }

        if (await Desk<AccountDesk>().SignUpAsync(new SignUpBody(email, name, region, birthDate)) == SignUpOutcome.UnderMinimumAge)
        {
            // Nothing of it is kept, not even in the form we answer with.
            (Email, Name, BirthDate, Refused) = (string.Empty, string.Empty, string.Empty, true);
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }

        (Email, CodeSent) = (email, true);
        return Page();
    }
}
