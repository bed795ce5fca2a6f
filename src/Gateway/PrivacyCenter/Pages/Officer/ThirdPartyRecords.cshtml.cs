using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Admin;
using PrimeDirective.Gateway.Application;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages.Officer;

/// <summary>
/// Third-party records, as <c>POST /v1/admin/third-party-records</c> adds them: what a named source told us about a
/// person; the person then sees it on "What we hold" and may correct or erase it.
/// </summary>
public sealed class ThirdPartyRecordsModel : OfficerPageModel
{
    [BindProperty(Name = "userId")]
    public string? UserId { get; set; }

    [BindProperty(Name = "source")]
    public string? Source { get; set; }

    [BindProperty(Name = "kind")]
    public string? Kind { get; set; }

    [BindProperty(Name = "value")]
    public string? Value { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var body = Checked(new ThirdPartyRecordBody(UserId?.Trim() ?? string.Empty, Source ?? string.Empty, Kind?.Trim() ?? string.Empty, Value ?? string.Empty));
        if (body is null)
        {
            return Answer();
        }

        switch (await Desk<ThirdPartyRecordDesk>().AddAsync(body))
        {
            case Outcome<string>.Done(var recordId):
                Message = $"Recorded {recordId}: the person sees it and may correct or erase it.";
                (UserId, Source, Kind, Value) = (null, null, null, null);
                return Page();
            case Outcome<string>.Conflict conflict:
                return Conflict(conflict.Field, conflict.Detail);
            default:
                // The route's answer for an unknown or closed account, next to the field.
                Errors["userId"] = "We hold no open account with this id.";
                return Answer();
        }
    }
}
