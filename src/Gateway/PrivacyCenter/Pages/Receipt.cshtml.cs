using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using PrimeDirective.Gateway.Requests;
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

    /// <summary>The signed receipt's download, at the same capability (or for the same signed-in person).</summary>
    public string DownloadUrl => $"/privacy/requests/{Uri.EscapeDataString(RequestId)}?handler=Download"
        + (Capability is null ? string.Empty : "&capability=" + Uri.EscapeDataString(Capability));

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

    public async Task<IActionResult> OnGetAsync() => await FindAsync() is { } view ? Shown(view) : NotFoundPage();

    /// <summary>The signed receipt (<c>receipt.json</c>) of a completed request, for whoever may read the page.</summary>
    public async Task<IActionResult> OnGetDownloadAsync() =>
        await FindAsync() is { } view && HttpContext.RequestServices.GetRequiredService<SignedReceipts>().Sign(view) is { } signed
            ? File(signed, SignedReceipts.MediaType, SignedReceipts.FileName)
            : NotFoundPage();

    private PageResult Shown(PrivacyRequestView view)
    {
        View = view;
        return Page();
    }

    private async Task<PrivacyRequestView?> FindAsync()
    {
        var requester = Session is { } session ? Users.UserKey(session.UserId) : null;
        if ((Capability is null && requester is null) || Capability is { Length: > 64 } ||
            SubjectIds.Parse(RequestId) is not { } parsed || !Users.IsRegion(parsed.Region) ||
            await Users.Request(RequestId).GetAsync(Capability, requester) is not { } view)
        {
            return null;
        }

        return view;
    }
}
