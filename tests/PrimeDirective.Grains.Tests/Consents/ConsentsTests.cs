using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Storage;
using PrimeDirective.Grains.Tests.ComponentFakes;

namespace PrimeDirective.Grains.Tests.Consents;

/// <summary>A person's consents alone.</summary>
public sealed class ConsentsTests
{
    private readonly SiloParts _silo = new();

    [Fact]
    public async Task A_choice_repeated_after_a_write_conflict_is_decided_again_and_recorded_once()
    {
        var parts = new UserParts(_silo, UserParts.ActiveAccount(_silo));

        // Another activation recorded the same grant first: deciding again from the fresh state finds nothing to add.
        parts.State.ConflictOnNextWrite(theirs => theirs.Consents.Add(new ConsentEvent(DataPurpose.Analytics, true, _silo.Clock.GetUtcNow(), "2026-09-22")));
        var consent = await parts.Consents.SetAsync(DataPurpose.Analytics, true);

        Assert.True(consent!.Granted);
        var stored = parts.State.Stored;
        Assert.Single(stored.Consents);
        Assert.DoesNotContain(stored.Audit, entry => entry.Action == "consent-granted");
        Assert.Equal((1, 0), (parts.State.Conflicts, parts.State.Writes));

        // The activation holds what is stored, not the change it could not write.
        Assert.DoesNotContain(parts.State.State.Audit, entry => entry.Action == "consent-granted");
    }

    [Fact]
    public async Task Toggling_keeps_the_audit_trail_bounded_and_a_repeat_adds_nothing()
    {
        var parts = new UserParts(_silo, UserParts.ActiveAccount(_silo));
        for (var i = 0; i < BoundedHistory.MaxAuditEntries + 20; i++)
        {
            await parts.Consents.SetAsync(DataPurpose.Analytics, i % 2 == 0);
        }

        var writes = parts.State.Writes;
        await parts.Consents.SetAsync(DataPurpose.Analytics, false);

        var stored = parts.State.Stored;
        Assert.Equal(writes, parts.State.Writes);
        Assert.True(stored.Audit.Count <= BoundedHistory.MaxAuditEntries);
        Assert.True(stored.EarlierAudit.Count > 0);
        Assert.False(Users.Consents.Current(stored.Consents, DataPurpose.Analytics).Granted);
    }

    [Fact]
    public async Task Service_provision_cannot_be_withdrawn_and_nothing_is_stored()
    {
        var parts = new UserParts(_silo, UserParts.ActiveAccount(_silo));

        await Assert.ThrowsAsync<ArgumentException>(() => parts.Consents.SetAsync(DataPurpose.ServiceProvision, false));
        Assert.Equal(0, parts.State.Writes);
        Assert.Empty(_silo.Grains.To("SetLinkedConsentAsync"));
    }
}
