using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>Correcting name, birth date (under 13: the account's erasure starts) and email (with a code to the new address).</summary>
public sealed class ProfileModel : PrivacyPageModel
{
    private static readonly Dictionary<string, string> s_done = new(StringComparer.Ordinal)
    {
        ["name"] = "Your name is corrected.",
        ["birth-date"] = "Your birth date is corrected.",
        ["email"] = "Your email address is changed.",
    };

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public string? BirthDate { get; set; }

    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string? EmailCode { get; set; }

    [BindProperty(SupportsGet = true, Name = "done")]
    public string? DoneKey { get; set; }

    public string? Done => DoneKey is null ? null : s_done.GetValueOrDefault(DoneKey);

    public bool EmailCodeSent { get; private set; }

    public UserProfile? Profile { get; private set; }

    protected override bool RequiresPerson => true;

    private MeDesk Me => Desk<MeDesk>();

    public Task<IActionResult> OnGetAsync() => ShowAsync();

    public async Task<IActionResult> OnPostNameAsync()
    {
        var check = Check();
        var name = check.Text("name", Name ?? string.Empty);
        if (!Collect(check))
        {
            return await ShowAsync();
        }

        return await Me.CorrectAsync(Session!.UserId, new CorrectionBody(Name: name)) is Outcome<Corrected>.Done ? Redirect(PrivacyPaths.Profile + "?done=name") : Redirect(PrivacyPaths.SignIn);
    }

    public async Task<IActionResult> OnPostBirthDateAsync()
    {
        var check = Check();
        var birthDate = check.BirthDate("birthDate", BirthDate ?? string.Empty);
        if (!Collect(check))
        {
            return await ShowAsync();
        }

        if (await Me.CorrectAsync(Session!.UserId, new CorrectionBody(BirthDate: birthDate)) is not Outcome<Corrected>.Done(var corrected))
        {
            return Redirect(PrivacyPaths.SignIn);
        }

        if (corrected.Erasure is { } accepted)
        {
            // Policy: we do not keep the data of anyone under 13. The erasure has started; the session ends with it.
            await Sessions.EndAsync(HttpContext, Session);
            return Redirect(PrivacyPaths.Receipt(accepted));
        }

        return Redirect(PrivacyPaths.Profile + "?done=birth-date");
    }

    public async Task<IActionResult> OnPostEmailAsync()
    {
        var check = Check();
        var email = check.Email("email", Email ?? string.Empty);
        if (Collect(check))
        {
            await Me.CorrectAsync(Session!.UserId, new CorrectionBody(Email: email));
            (Email, EmailCodeSent) = (email, true);
        }

        return await ShowAsync();
    }

    public async Task<IActionResult> OnPostEmailCodeAsync()
    {
        var check = Check();
        var email = check.Email("email", Email ?? string.Empty);
        var code = check.Code("emailCode", (EmailCode ?? string.Empty).Trim());
        if (Collect(check))
        {
            if (await Me.CorrectAsync(Session!.UserId, new CorrectionBody(Email: email, EmailCode: code)) is Outcome<Corrected>.Done)
            {
                return Redirect(PrivacyPaths.Profile + "?done=email");
            }

            Errors["emailCode"] = "The code is wrong, expired or used up. Send a new one by entering the address again.";
        }

        (Email, EmailCodeSent) = (email, ErrorFor("email") is null);
        return await ShowAsync();
    }

    private async Task<IActionResult> ShowAsync()
    {
        if (await Users.User(Session!.UserId).GetAsync() is not { } record)
        {
            return Redirect(PrivacyPaths.SignIn);
        }

        Profile = record.Profile;
        if (Errors.Count > 0)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        }

        return Page();
    }
}
