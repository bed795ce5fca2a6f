using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Users;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>Erasure with a confirmation step; the session ends at once and the receipt page is at its capability URL.</summary>
public sealed class EraseModel : PrivacyPageModel
{
    [BindProperty]
    public bool Confirm { get; set; }

    protected override bool RequiresPerson => true;

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!Confirm)
        {
            Errors["confirm"] = "Tick the box to confirm; nothing was erased.";
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }

        var accepted = await Desk<MeDesk>().EraseAsync(Session!.UserId, "person-request");
        await Sessions.EndAsync(HttpContext, Session);
        return Redirect(PrivacyPaths.Receipt(accepted));
    }
}
