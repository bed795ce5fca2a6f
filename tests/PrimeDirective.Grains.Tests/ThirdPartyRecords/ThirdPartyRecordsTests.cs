using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Tests.ComponentFakes;
using PrimeDirective.Grains.Users;

namespace PrimeDirective.Grains.Tests.ThirdPartyRecords;

/// <summary>Third-party records alone.</summary>
public sealed class ThirdPartyRecordsTests
{
    private readonly SiloParts _silo = new();

    private static ThirdPartyRecord Told(int i) => new("registry-office", "address", $"street {i}");

    [Fact]
    public async Task An_account_keeps_at_most_its_limit_of_records_and_the_next_is_refused_unstored()
    {
        var seeded = UserParts.ActiveAccount(_silo);
        for (var i = 0; i < Users.ThirdPartyRecords.Limit - 1; i++)
        {
            seeded.ThirdPartyRecords.Add(new ThirdPartyRecordState($"r{i}", "registry-office", "address", $"street {i}", _silo.Clock.GetUtcNow(), null));
        }

        var parts = new UserParts(_silo, seeded);
        Assert.NotNull(await parts.Records.AddAsync(Told(99)));
        Assert.Null(await parts.Records.AddAsync(Told(100)));

        var stored = parts.State.Stored;
        Assert.Equal(Users.ThirdPartyRecords.Limit, stored.ThirdPartyRecords.Count);
        Assert.DoesNotContain(stored.ThirdPartyRecords, record => record.Value == "street 100");
    }

    [Fact]
    public async Task After_a_write_conflict_the_limit_is_checked_again_on_the_fresh_state()
    {
        var seeded = UserParts.ActiveAccount(_silo);
        for (var i = 0; i < Users.ThirdPartyRecords.Limit - 1; i++)
        {
            seeded.ThirdPartyRecords.Add(new ThirdPartyRecordState($"r{i}", "registry-office", "address", $"street {i}", _silo.Clock.GetUtcNow(), null));
        }

        var parts = new UserParts(_silo, seeded);

        // Another activation took the last place meanwhile.
        parts.State.ConflictOnNextWrite(theirs => theirs.ThirdPartyRecords.Add(
            new ThirdPartyRecordState("theirs", "other-source", "phone", "0123", _silo.Clock.GetUtcNow(), null)));
        Assert.Null(await parts.Records.AddAsync(Told(200)));

        var stored = parts.State.Stored;
        Assert.Equal(Users.ThirdPartyRecords.Limit, stored.ThirdPartyRecords.Count);
        Assert.Contains(stored.ThirdPartyRecords, record => record.RecordId == "theirs");
        Assert.DoesNotContain(stored.ThirdPartyRecords, record => record.Value == "street 200");
        Assert.Equal(stored.ThirdPartyRecords.Select(record => record.RecordId), parts.State.State.ThirdPartyRecords.Select(record => record.RecordId));
    }
}
