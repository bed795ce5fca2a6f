using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Requests;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>
/// Erasure with a step-up code sent to the person's address and a confirmation step; the session ends at once and the
/// receipt page is at its capability URL.
/// </summary>
public sealed class EraseModel : PrivacyPageModel
{
    [BindProperty]
    public bool Confirm { get; set; }

    [BindProperty]
    public string? Code { get; set; }

    /// <summary>Whether a code was just sent.</summary>
    [BindProperty(SupportsGet = true, Name = "sent")]
    public bool CodeSent { get; set; }

    protected override bool RequiresPerson => true;

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostCodeAsync()
    {
        if (await Desk<MeDesk>().RequestStepUpAsync(Session!.UserId, StepUpActions.EraseAccount) is not Outcome<StepUpSent>.Done)
        {
            return Redirect(PrivacyPaths.SignIn);
        }

        // Back to the plain page, so the erase form posts to it and a reload sends no second code.
        return Redirect(PrivacyPaths.Erase + "?sent=true");
    }

    public async Task<IActionResult> OnPostAsync()
    {
        CodeSent = false;
        if (!Confirm)
        {
            Errors["confirm"] = "Tick the box to confirm; nothing was erased.";
        }

        if (string.IsNullOrWhiteSpace(Code))
        {
            Errors["code"] = "Enter the code we sent to your address (ask for one above); nothing was erased.";
        }

        if (Errors.Count == 0)
        {
            if (await Desk<MeDesk>().EraseWithStepUpAsync(Session!.UserId, Code!.Trim()) is Outcome<ErasureAccepted>.Done(var accepted))
            {
                await Sessions.EndAsync(HttpContext, Session);
                return Redirect(PrivacyPaths.Receipt(accepted));
            }

            Errors["code"] = "The code is wrong, expired or used up; nothing was erased. Ask for a new one above.";
        }

        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }
}
