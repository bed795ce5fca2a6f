using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>Consents in force, each with its history and the policy version it was given under; grant or withdraw.</summary>
public sealed class ConsentsModel : PrivacyPageModel
{
    [BindProperty]
    public string? Purpose { get; set; }

    [BindProperty]
    public bool Granted { get; set; }

    [BindProperty(SupportsGet = true, Name = "changed")]
    public string? ChangedPurpose { get; set; }

    [BindProperty(SupportsGet = true, Name = "granted")]
    public bool? ChangedGranted { get; set; }

    public string? Changed => ChangedPurpose is { } purpose && WireNames.TryParse<DataPurpose>(purpose) is not null && ChangedGranted is { } granted
        ? $"Consent to {purpose} {(granted ? "granted" : "withdrawn")}."
        : null;

    public UserRecord? Record { get; private set; }

    protected override bool RequiresPerson => true;

    public Task<IActionResult> OnGetAsync() => ShowAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        switch (await Desk<MeDesk>().SetConsentAsync(Session!.UserId, Purpose ?? string.Empty, Granted))
        {
            case Outcome<ConsentState>.Done(var consent):
                return Redirect($"{PrivacyPaths.Consents}?changed={WireNames.Of(consent.Purpose)}&granted={(Granted ? "true" : "false")}");
            case Outcome<ConsentState>.Unknown { What: "account" }:
                return Redirect(PrivacyPaths.SignIn);
            default:
                Errors["purpose"] = "That purpose cannot be changed here.";
                (ChangedPurpose, ChangedGranted) = (null, null);
                return await ShowAsync();
        }
    }

    private async Task<IActionResult> ShowAsync()
    {
        if (await Users.User(Session!.UserId).GetAsync() is not { } record)
        {
            return Redirect(PrivacyPaths.SignIn);
        }

        Record = record;
        if (Errors.Count > 0)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        }

        return Page();
    }
}
