using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Admin;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Users;

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

        // The route's answer for an unknown or closed account, next to the field.
        if (SubjectIds.Parse(body.UserId) is not { } parsed || !Users.IsRegion(parsed.Region) || !await Users.User(body.UserId).IsActiveAsync())
        {
            Errors["userId"] = "We hold no open account with this id.";
            return Answer();
        }

        var recordId = await Grains.GetGrain<IUserThirdPartyRecords>(Users.UserKey(body.UserId))
            .AddThirdPartyRecordAsync(new ThirdPartyRecord(body.Source, body.Kind, body.Value));
        if (recordId is null)
        {
            Errors["userId"] = "The account holds the most third-party records allowed.";
            Response.StatusCode = StatusCodes.Status409Conflict;
            return Page();
        }

        Message = $"Recorded {recordId}: the person sees it and may correct or erase it.";
        (UserId, Source, Kind, Value) = (null, null, null, null);
        return Page();
    }
}
