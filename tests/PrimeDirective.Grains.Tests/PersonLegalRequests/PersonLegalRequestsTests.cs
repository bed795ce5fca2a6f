using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Tests.ComponentFakes;

namespace PrimeDirective.Grains.Tests.PersonLegalRequests;

/// <summary>A person's legal requests alone.</summary>
public sealed class PersonLegalRequestsTests
{
    private readonly SiloParts _silo = new();

    [Fact]
    public async Task An_earlier_end_never_shortens_a_disclosure_gag_even_when_a_later_write_persists_the_state()
    {
        var parts = new UserParts(_silo, UserParts.ActiveAccount(_silo));
        var later = _silo.Clock.GetUtcNow().AddDays(90);

        await parts.LegalRequests.HideDisclosureAsync("disclosure-1", later);
        await parts.LegalRequests.HideDisclosureAsync("disclosure-1", later.AddDays(-60));
        await parts.LegalRequests.HideDisclosureAsync("disclosure-2", later);

        Assert.Equal(later, parts.State.Stored.DisclosureGags["disclosure-1"]);
        Assert.Equal(later, parts.State.State.DisclosureGags["disclosure-1"]);
    }

    [Fact]
    public async Task A_notice_another_activation_recorded_first_is_neither_repeated_nor_emailed()
    {
        var parts = new UserParts(_silo, UserParts.ActiveAccount(_silo));
        var notice = new LegalRequestNotice("notice-1", "request-1", "received", "A request for your data", "An authority asked.");
        parts.State.ConflictOnNextWrite(theirs => theirs.Notifications.Add(new Notification("notice-1", _silo.Clock.GetUtcNow(), "legal-request", "theirs")));

        Assert.True(await parts.LegalRequests.NotifyAsync(notice));

        var stored = parts.State.Stored;
        Assert.Single(stored.Notifications);
        Assert.DoesNotContain(stored.Audit, entry => entry.Action == "legal-request-notified");
        Assert.Empty(stored.Outgoing);
        Assert.Equal(0, _silo.Sender.PendingCount);
    }
}
