using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>Notices sent to the person and disclosures of their data, as <c>/v1/me/notifications</c> and <c>/v1/me/disclosures</c> list them.</summary>
public sealed class NoticesModel : PrivacyPageModel
{
    public IReadOnlyList<Notification> Notifications { get; private set; } = [];

    public IReadOnlyList<Notification> Disclosures { get; private set; } = [];

    protected override bool RequiresPerson => true;

    public async Task<IActionResult> OnGetAsync()
    {
        if (await Users.User(Session!.UserId).GetAsync() is not { } record)
        {
            return Redirect(PrivacyPaths.SignIn);
        }

        (Notifications, Disclosures) = (record.Notifications, record.Disclosures);
        return Page();
    }
}

/// <summary>A list of notices with its caption and what to say when it is empty.</summary>
public sealed record NoticeListModel(string Caption, IReadOnlyList<Notification> Entries, string Empty);
