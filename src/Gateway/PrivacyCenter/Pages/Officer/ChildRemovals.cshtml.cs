using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.ChildRemoval;
using PrimeDirective.Gateway.Application;
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
        var body = Checked(new ReviewDecisionBody(Approve, string.IsNullOrWhiteSpace(Reason) ? null : Reason));
        if (!Approve && string.IsNullOrWhiteSpace(Reason))
        {
            Errors["requestId"] = "Give the parent a reason to decline.";
        }

        if (body is not null && Errors.Count == 0)
        {
            if (await Desk<ChildRemovalDesk>().DecideAsync(RequestId ?? string.Empty, body, Session!.UserId) is not Outcome<PrivacyRequestView>.Done)
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
        Reviews = await Desk<ChildRemovalDesk>().ReviewsAsync();
        if (Errors.Count > 0)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        }

        return Page();
    }
}
