using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Requests;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>
/// A privacy request's status and receipt, at its capability URL (or for the signed-in person it is about). Anything
/// else (an unknown id, a wrong capability, someone else's request) gets the same not-found page.
/// </summary>
public sealed class ReceiptModel : PrivacyPageModel
{
    [BindProperty(SupportsGet = true)]
    public string RequestId { get; set; } = string.Empty;

    [BindProperty(SupportsGet = true)]
    public string? Capability { get; set; }

    public PrivacyRequestView? View { get; private set; }

    public static string StatusText(PrivacyRequestStatus status) => status switch
    {
        PrivacyRequestStatus.Accepted => "accepted: it starts in a moment",
        PrivacyRequestStatus.InProgress => "in progress",
        PrivacyRequestStatus.OnHold => "on hold: a legal hold defers it; it resumes when the hold ends",
        PrivacyRequestStatus.AwaitingReview => "awaiting a privacy officer's review",
        PrivacyRequestStatus.Completed => "completed",
        PrivacyRequestStatus.Rejected => "declined",
        PrivacyRequestStatus.Expired => "expired: not decided in time; your details are destroyed",
        _ => WireNames.Of(status),
    };

    public async Task<IActionResult> OnGetAsync()
    {
        var requester = Session is { } session ? Users.UserKey(session.UserId) : null;
        if ((Capability is null && requester is null) || Capability is { Length: > 64 } ||
            SubjectIds.Parse(RequestId) is not { } parsed || !Users.IsRegion(parsed.Region) ||
            await Users.Request(RequestId).GetAsync(Capability, requester) is not { } view)
        {
            return NotFoundPage();
        }

        View = view;
        return Page();
    }
}
