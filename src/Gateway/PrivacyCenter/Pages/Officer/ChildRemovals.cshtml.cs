using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.ChildRemoval;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Requests;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages.Officer;

/// <summary>Parents' child-removal requests awaiting review in every region; approve (the child's data is erased) or decline.</summary>
public sealed class ChildRemovalsModel : PrivacyPageModel
{
    [BindProperty]
    public string? RequestId { get; set; }

    [BindProperty]
    public bool Approve { get; set; }

    [BindProperty]
    public string? Reason { get; set; }

    public IReadOnlyList<ChildRemovalReview> Reviews { get; private set; } = [];

    public string? Message { get; private set; }

    protected override bool RequiresOfficer => true;

    public Task<IActionResult> OnGetAsync() => ShowAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        var check = Check();
        var reason = string.IsNullOrWhiteSpace(Reason) ? null : check.Text("reason", Reason, ChildRemovalEndpoints.MaxReasonLength);
        check.Require(Approve || reason is not null, "requestId", "Give the parent a reason to decline.");
        if (Collect(check))
        {
            var view = RequestId is { } id && SubjectIds.Parse(id) is { } parsed && Users.IsRegion(parsed.Region)
                ? await Users.Request(id).DecideAsync(Approve, Session!.UserId, reason)
                : null;
            if (view is null)
            {
                Errors["requestId"] = "That request is not waiting for review.";
            }
            else
            {
                Message = Approve ? "Approved: the child's data is being erased and the parent told." : "Declined: the parent is told why.";
            }
        }

        return await ShowAsync();
    }

    private async Task<IActionResult> ShowAsync()
    {
        var pending = await Task.WhenAll(Users.Regions.Select(region => Users.Reviews(region).ListAsync()));
        var reviews = await Task.WhenAll(pending.SelectMany(ids => ids).Select(id => Users.Request(id).ReviewAsync()));
        Reviews = [.. reviews.OfType<ChildRemovalReview>()];
        if (Errors.Count > 0)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        }

        return Page();
    }
}
