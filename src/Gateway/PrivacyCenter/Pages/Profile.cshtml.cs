using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Http;
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

    private IUserGrain Account => Users.User(Session!.UserId);

    public Task<IActionResult> OnGetAsync() => ShowAsync();

    public async Task<IActionResult> OnPostNameAsync()
    {
        var check = Check();
        var name = check.Text("name", Name ?? string.Empty);
        if (!Collect(check))
        {
            return await ShowAsync();
        }

        return await Account.CorrectAsync(new ProfileCorrection(name, null)) is null ? Redirect(PrivacyPaths.SignIn) : Redirect(PrivacyPaths.Profile + "?done=name");
    }

    public async Task<IActionResult> OnPostBirthDateAsync()
    {
        var check = Check();
        check.BirthDate("birthDate", BirthDate ?? string.Empty);
        if (!Collect(check))
        {
            return await ShowAsync();
        }

        if (await Account.CorrectAsync(new ProfileCorrection(null, RequestCheck.ParseDate(BirthDate!))) is not { } result)
        {
            return Redirect(PrivacyPaths.SignIn);
        }

        if (result.UnderThirteen)
        {
            // Policy: we do not keep the data of anyone under 13. The erasure starts now and the session ends with it.
            var accepted = await Users.EraseAsync(Session!.UserId, "under-13");
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
            await Account.StartEmailChangeAsync(email);
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
            if (await Account.ConfirmEmailChangeAsync(email, code) == EmailChangeOutcome.Changed)
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
        if (await Account.GetAsync() is not { } record)
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
