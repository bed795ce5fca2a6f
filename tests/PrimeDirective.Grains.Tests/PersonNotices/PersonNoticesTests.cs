using PrimeDirective.Grains.Interfaces.Notices;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Tests.ComponentFakes;

namespace PrimeDirective.Grains.Tests.PersonNotices;

/// <summary>A person's notices alone.</summary>
public sealed class PersonNoticesTests
{
    private readonly SiloParts _silo = new();

    private NoticeCampaign Breach() => new(
        $"breach-{Guid.NewGuid():N}", NoticeKind.Breach, ["eu"], [DataCategory.Account], _silo.Clock.GetUtcNow().AddDays(-10), null,
        "A breach", "What happened and what to do.", _silo.Clock.GetUtcNow());

    [Fact]
    public async Task A_campaign_another_activation_recorded_first_is_not_recorded_again_nor_emailed_twice()
    {
        var parts = new UserParts(_silo, UserParts.ActiveAccount(_silo));
        var campaign = Breach();
        parts.State.ConflictOnNextWrite(theirs =>
        {
            theirs.NoticesReceived[campaign.Id] = "eu/cluster-2";
            theirs.Notifications.Add(new Notification(campaign.Id, _silo.Clock.GetUtcNow(), "breach", "theirs"));
        });

        var outcome = await parts.Notices.DeliverAsync(campaign, "eu/cluster-1");

        Assert.Equal(NoticeOutcome.NotifiedElsewhere, outcome);
        var stored = parts.State.Stored;
        Assert.Single(stored.Notifications);
        Assert.Empty(stored.Outgoing);
        Assert.Equal(0, _silo.Sender.PendingCount);
    }

    [Fact]
    public async Task An_undelivered_campaign_email_is_reported_to_its_fanout_once_then_forgotten_and_the_mark_goes()
    {
        var parts = new UserParts(_silo, UserParts.ActiveAccount(_silo));
        var campaign = Breach();
        Assert.Equal(NoticeOutcome.Notified, await parts.Notices.DeliverAsync(campaign, "eu/cluster-1"));
        var queued = Assert.Single(parts.State.Stored.Outgoing);
        Assert.True(parts.OutboxMarked);

        await parts.Notices.MessageHandledAsync(queued.Id, delivered: false);

        var reported = Assert.Single(_silo.Grains.To("EmailFailedAsync"));
        Assert.Equal("undelivered", reported.Arguments[1]);
        var stored = parts.State.Stored;
        Assert.Empty(stored.Outgoing);
        Assert.Empty(stored.NoticeEmailFailures);
        Assert.DoesNotContain(campaign.Id, stored.NoticesDelivered);
        Assert.False(parts.OutboxMarked);
    }
}
