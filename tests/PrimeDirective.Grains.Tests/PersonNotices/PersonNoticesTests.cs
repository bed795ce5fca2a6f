using System.Runtime.InteropServices;
using System.Text;
using PrimeDirective.Grains.Interfaces.Notices;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Notices;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Tests.ComponentFakes;

namespace PrimeDirective.Grains.Tests.PersonNotices;

/// <summary>A person's notices alone.</summary>
public sealed class PersonNoticesTests
{
    private readonly SiloParts _silo = new();

    private NoticeCampaign Breach(DataCategory category = DataCategory.Account) => new(
        $"breach-{Guid.NewGuid():N}", NoticeKind.Breach, ["eu"], [category], _silo.Clock.GetUtcNow().AddDays(-10), null,
        "A breach", "What happened and what to do.", _silo.Clock.GetUtcNow());

    [Fact]
    public async Task Deciding_a_campaign_writes_nothing_and_hands_back_the_notice_and_its_email_sealed_under_the_persons_key()
    {
        var parts = new UserParts(_silo, UserParts.ActiveAccount(_silo));
        var campaign = Breach();

        var decision = await parts.Notices.DecideAsync(campaign, parts.Host.Key);

        Assert.Null(decision.Outcome);
        Assert.Equal("breach", decision.Kind);
        Assert.Equal(_silo.Clock.GetUtcNow(), decision.At);
        var body = await _silo.Sealer.OpenAsync(PersonNoticeLog.BodyContext(parts.Host.Key, campaign.Id), ImmutableCollectionsMarshal.AsArray(decision.Body)!);
        Assert.Equal("A breach. What happened and what to do.", Encoding.UTF8.GetString(body!));
        Assert.DoesNotContain("person@example.test", Encoding.UTF8.GetString(decision.Email.AsSpan()), StringComparison.Ordinal);
        var email = await _silo.Seal.OpenAsync(parts.Host.Id, new QueuedMessage(
            PersonNoticeLog.EmailId(parts.Host.Key, campaign.Id), MessageSeal.Text(decision.Email.AsSpan()), null, decision.At.AddDays(1), decision.At, campaign.Id));
        Assert.Equal("person@example.test", email!.To);
        Assert.Equal("A breach", email.Subject);

        // Nothing was written, queued, marked or sent: the fan-out stores the notice with its batch.
        Assert.Equal(0, parts.State.Writes);
        Assert.Empty(parts.State.State.Notifications);
        Assert.Empty(parts.State.State.Outgoing);
        Assert.False(parts.OutboxMarked);
        Assert.Equal(0, _silo.Sender.PendingCount);
    }

    [Fact]
    public async Task An_unaffected_or_absent_person_answers_finally_and_a_campaign_the_state_already_holds_answers_as_it_did_then()
    {
        var parts = new UserParts(_silo, UserParts.ActiveAccount(_silo));
        var held = Breach();
        var legacy = UserParts.ActiveAccount(_silo);
        legacy.NoticesReceived[held.Id] = "eu/cluster-2";
        var before = new UserParts(_silo, legacy);

        Assert.Equal(NoticeOutcome.NotAffected, (await parts.Notices.DecideAsync(Breach(DataCategory.CrashReport), parts.Host.Key)).Outcome);
        Assert.Equal(NoticeOutcome.Absent, (await new UserParts(_silo).Notices.DecideAsync(held, "eu/cluster-1")).Outcome);
        Assert.Equal(NoticeOutcome.NotifiedElsewhere, (await before.Notices.DecideAsync(held, "eu/cluster-1")).Outcome);
        Assert.Equal(NoticeOutcome.Notified, (await before.Notices.DecideAsync(held, "eu/cluster-2")).Outcome);
        Assert.Equal(0, parts.State.Writes + before.State.Writes);
        Assert.Empty(await _silo.NoticeRows.ForPersonAsync("eu", parts.Host.Key));
    }

    [Fact]
    public async Task The_person_sees_the_notices_of_the_state_and_of_the_rows_once_each_oldest_first()
    {
        var parts = new UserParts(_silo, UserParts.ActiveAccount(_silo));
        var (early, late) = (Breach(), Breach());
        var inState = new Notification(early.Id, _silo.Clock.GetUtcNow().AddHours(-1), "breach", "kept in the state before rows");
        foreach (var campaign in new[] { late, early })
        {
            var decision = await parts.Notices.DecideAsync(campaign, parts.Host.Key);
            await _silo.NoticeRows.AppendAsync("eu", [new PersonNoticeRow(
                parts.Host.Key, campaign.Id, decision.Kind, decision.At, parts.Host.Key,
                ImmutableCollectionsMarshal.AsArray(decision.Body)!, ImmutableCollectionsMarshal.AsArray(decision.Email))], decision.At);
        }

        var shown = await parts.Notices.ShownAsync([inState]);

        Assert.Equal([early.Id, late.Id], shown.Select(notice => notice.Id));
        Assert.Equal(inState, shown[0]);
        Assert.Equal("A breach. What happened and what to do.", shown[1].Text);
        Assert.Empty(await new UserParts(_silo, UserParts.ActiveAccount(_silo)).Notices.ShownAsync([]));
    }

    [Fact]
    public async Task An_undelivered_campaign_email_an_earlier_version_queued_in_the_state_is_reported_to_its_fanout_once_then_forgotten_and_the_mark_goes()
    {
        var parts = new UserParts(_silo, UserParts.ActiveAccount(_silo));
        var campaign = Breach();
        await parts.Notices.NotifyAsync(new OutboxMessage("person@example.test", "A Person", campaign.Title, campaign.Text), campaign.Id, (current, now) =>
        {
            current.NoticesReceived[campaign.Id] = "eu/cluster-1";
            return (true, true);
        });
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
