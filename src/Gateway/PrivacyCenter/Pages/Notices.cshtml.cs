using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Requests;
using PrimeDirective.Gateway.Sharing;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>
/// Notices sent to the person (breach notices, policy changes, legal requests) and the disclosures of their data from
/// their ledger, as <c>/v1/me/notifications</c> and <c>/v1/me/disclosures</c> list them (entries under a running gag left out);
/// and signed copies to keep: each legal-request notice (<c>notice.json</c>) and the ledger's head (<c>disclosures-head.json</c>).
/// </summary>
public sealed class NoticesModel : PrivacyPageModel
{
    public IReadOnlyList<Notification> Notifications { get; private set; } = [];

    public IReadOnlyList<DisclosureEntry> Disclosures { get; private set; } = [];

    protected override bool RequiresPerson => true;

    /// <summary>The signed ledger head's download.</summary>
    public static string LedgerHeadUrl => PrivacyPaths.Notices + "?handler=LedgerHead";

    /// <summary>The signed copy's download of a legal-request notice; <c>null</c> for any other notice (those are not signed).</summary>
    public static string? SignedNoticeUrl(Notification notice) =>
        notice is { Kind: LegalNoticeDocument.NotificationKind } && LegalNoticeIds.Parse(notice.Id) is not null
            ? PrivacyPaths.Notices + "?handler=Notice&id=" + Uri.EscapeDataString(notice.Id)
            : null;

    public async Task<IActionResult> OnGetAsync()
    {
        var ledger = SharingDesk.DisclosuresAsync(Desk<OfficerSubjects>().User(Session!.UserId));
        if (await Users.User(Session.UserId).GetAsync() is not { } record || await ledger is not { } entries)
        {
            return Redirect(PrivacyPaths.SignIn);
        }

        (Notifications, Disclosures) = ([.. record.Notifications.OrderByDescending(notice => notice.At)], [.. entries.OrderByDescending(entry => entry.At)]);
        return Page();
    }

    /// <summary>The person's disclosure-ledger head, signed, as <c>/v1/me/disclosures/head.json</c> answers it.</summary>
    public async Task<IActionResult> OnGetLedgerHeadAsync()
    {
        switch (await Desk<SignedReceipts>().LedgerHeadAsync(Desk<OfficerSubjects>().User(Session!.UserId), Session.UserId))
        {
            case Outcome<byte[]>.Done(var signed):
                return File(signed, SignedReceipts.MediaType, SignedReceipts.LedgerHeadFileName);
            case Outcome<byte[]>.Conflict conflict:
                // The page again, with why nothing was signed; 409 as the route answers.
                Errors["ledger"] = conflict.Detail;
                var page = await OnGetAsync();
                Response.StatusCode = StatusCodes.Status409Conflict;
                return page;
            default:
                return NotFoundPage();
        }
    }

    /// <summary>One of the person's legal-request notices, signed, as <c>/v1/me/notifications/{id}/notice.json</c> answers it.</summary>
    public async Task<IActionResult> OnGetNoticeAsync(string? id) =>
        id is not null && await Desk<SignedReceipts>().LegalNoticeAsync(Users.User(Session!.UserId), Session.UserId, id) is Outcome<byte[]>.Done(var signed)
            ? File(signed, SignedReceipts.MediaType, SignedReceipts.LegalNoticeFileName)
            : NotFoundPage();
}

/// <summary>A list of notices with its caption and what to say when it is empty.</summary>
public sealed record NoticeListModel(string Caption, IReadOnlyList<Notification> Entries, string Empty, Func<Notification, string?>? SignedCopy = null);
