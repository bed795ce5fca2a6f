using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Tests.ComponentFakes;
using PrimeDirective.Grains.Users;

namespace PrimeDirective.Grains.Tests.SubjectOutbox;

/// <summary>The outbox-owner steps alone (as a person's account wires them: a campaign's email is never dropped silently).</summary>
public sealed class SubjectOutboxTests
{
    private readonly SiloParts _silo = new();

    private Task<QueuedMessage> Message(UserParts parts, string? campaign) =>
        parts.Outbox.PrepareAsync(Messages.SignInCode("person@example.test", "12345678", TimeSpan.FromMinutes(15)), _silo.Clock.GetUtcNow().AddDays(1), campaign: campaign);

    [Fact]
    public async Task The_outbox_keeps_at_most_its_bound_and_a_campaign_email_pushed_out_is_recorded_as_displaced()
    {
        var parts = new UserParts(_silo, UserParts.ActiveAccount(_silo));
        var current = parts.State.State;
        var first = await Message(parts, "campaign-0");
        var displaced = parts.Outbox.Queue(current, first);
        for (var i = 1; i <= QueuedMessage.MaxPerOwner; i++)
        {
            displaced.AddRange(parts.Outbox.Queue(current, await Message(parts, $"campaign-{i}")));
        }

        Assert.Equal(QueuedMessage.MaxPerOwner, current.Outgoing.Count);
        Assert.Equal([first.Id], displaced);
        Assert.DoesNotContain(current.Outgoing, message => message.Id == first.Id);
        Assert.Equal(new Dictionary<string, string> { ["campaign-0"] = "displaced" }, current.NoticeEmailFailures);
    }

    [Fact]
    public async Task A_handled_message_after_a_write_conflict_is_decided_again_from_the_fresh_state()
    {
        var parts = new UserParts(_silo, UserParts.ActiveAccount(_silo));
        var message = await Message(parts, "breach-1");
        parts.State.State.Outgoing.Add(message);
        await parts.State.WriteStateAsync();

        // Another activation already heard it was delivered: this one's "undelivered" must not overwrite that.
        parts.State.ConflictOnNextWrite(theirs =>
        {
            theirs.Outgoing.Clear();
            theirs.NoticesDelivered.Add("breach-1");
        });
        await parts.Outbox.HandledAsync(message.Id, delivered: false);

        var stored = parts.State.Stored;
        Assert.Equal(1, parts.State.Conflicts);
        Assert.Empty(stored.Outgoing);
        Assert.Equal(["breach-1"], stored.NoticesDelivered);
        Assert.Empty(stored.NoticeEmailFailures);
        Assert.Empty(parts.State.State.NoticeEmailFailures);
        Assert.Equal(["breach-1"], parts.State.State.NoticesDelivered);
        Assert.Equal(0, parts.Host.Deactivations);
    }

    [Fact]
    public async Task An_account_is_marked_not_reminded_while_idle_and_unmarked_only_once_nothing_is_left_to_deliver_or_report()
    {
        var parts = new UserParts(_silo, UserParts.ActiveAccount(_silo));
        await parts.Outbox.ArmAsync();
        Assert.True(parts.OutboxMarked);

        parts.State.State.NoticeEmailFailures["breach-2"] = "undelivered";
        await parts.Outbox.DisarmWhenIdleAsync();
        Assert.True(parts.OutboxMarked);

        parts.State.State.NoticeEmailFailures.Clear();
        await parts.Outbox.DisarmWhenIdleAsync();
        Assert.False(parts.OutboxMarked);
    }

    [Fact]
    public async Task Pointless_messages_are_dropped_in_one_write_and_a_campaigns_counted_undelivered()
    {
        var parts = new UserParts(_silo, UserParts.ActiveAccount(_silo));
        var stale = (await Message(parts, "policy-7")) with { DropAfter = _silo.Clock.GetUtcNow().AddMinutes(1) };
        var fresh = await Message(parts, null);
        parts.State.State.Outgoing.AddRange([stale, fresh]);
        await parts.State.WriteStateAsync();

        _silo.Clock.Advance(TimeSpan.FromMinutes(2));
        await parts.Outbox.RecheckAsync(_silo.Time);

        var stored = parts.State.Stored;
        Assert.Equal([fresh.Id], stored.Outgoing.Select(message => message.Id));
        Assert.Equal("undelivered", stored.NoticeEmailFailures["policy-7"]);
        Assert.Equal(1, _silo.Sender.PendingCount);
    }
}
