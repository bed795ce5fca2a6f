using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Privacy;
using PrimeDirective.Grains.Tests.ComponentFakes;

namespace PrimeDirective.Grains.Tests.Dormancy;

/// <summary>Dormant accounts alone, driven by the fake policy clock.</summary>
public sealed class DormancyTests
{
    private readonly SiloParts _silo = new();

    [Fact]
    public async Task The_reminder_is_never_due_later_than_the_check_period()
    {
        var parts = new UserParts(_silo, UserParts.ActiveAccount(_silo));

        await parts.Dormancy.ArmAsync(rearm: true);

        var period = new RetentionOptions().DormantCheckPeriod;
        Assert.Equal((period, period), parts.Host.Reminders[Users.Dormancy.Reminder]);
        Assert.Equal(_silo.Clock.GetUtcNow() + period, parts.State.Stored.DormancyDueAt);
    }

    [Fact]
    public async Task A_warning_another_activation_gave_first_is_not_given_again()
    {
        var parts = new UserParts(_silo, UserParts.ActiveAccount(_silo));
        _silo.Clock.Advance(new RetentionOptions().DormantWarning + TimeSpan.FromDays(1));
        parts.State.ConflictOnNextWrite(theirs =>
        {
            theirs.DormantWarnedAt = _silo.Clock.GetUtcNow();
            theirs.Notifications.Add(new Notification("theirs", _silo.Clock.GetUtcNow(), "dormant-account", "theirs"));
        });

        await parts.Dormancy.CheckAsync();

        var stored = parts.State.Stored;
        Assert.Single(stored.Notifications, notice => notice.Kind == "dormant-account");
        Assert.DoesNotContain(stored.Audit, entry => entry.Action == "dormant-account-warned");
        Assert.Empty(stored.Outgoing);
        Assert.Empty(_silo.Grains.To("SubmitErasureOneWayAsync"));
    }
}
