using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Sharing;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>
/// Notices sent to the person (breach notices, policy changes, legal requests) and the disclosures of their data from
/// their ledger, as <c>/v1/me/notifications</c> and <c>/v1/me/disclosures</c> list them (entries under a running gag left out).
/// </summary>
public sealed class NoticesModel : PrivacyPageModel
{
    public IReadOnlyList<Notification> Notifications { get; private set; } = [];

    public IReadOnlyList<DisclosureEntry> Disclosures { get; private set; } = [];

    protected override bool RequiresPerson => true;

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
}

/// <summary>A list of notices with its caption and what to say when it is empty.</summary>
public sealed record NoticeListModel(string Caption, IReadOnlyList<Notification> Entries, string Empty);
