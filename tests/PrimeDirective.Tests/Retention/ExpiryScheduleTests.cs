using System.Collections.Immutable;
using Microsoft.Extensions.Time.Testing;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Privacy;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Tests.Retention;

public sealed class ExpiryScheduleTests
{
    private static readonly RetentionOptions s_defaults = new();

    [Fact]
    public void Expiry_is_fixed_at_collection_by_category()
    {
        var collected = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(collected.AddDays(30), s_defaults.ExpiryOf(DataCategory.IpAddress, collected));
        Assert.Equal(collected.AddDays(90), s_defaults.ExpiryOf(DataCategory.Usage, collected));
        Assert.Equal(collected.AddDays(180), s_defaults.ExpiryOf(DataCategory.CrashReport, collected));
        Assert.Equal(collected.AddDays(1), s_defaults.ExpiryOf(DataCategory.Inferred, collected));
        Assert.Null(s_defaults.ExpiryOf(DataCategory.Account, collected));
    }

    [Fact]
    public void Items_expire_exactly_at_their_expiry_and_the_next_expiry_is_rearmed()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
        var start = time.GetUtcNow();
        List<HeldItem> items = [Item("ip", DataCategory.IpAddress, start), Item("usage", DataCategory.Usage, start), Item("id", DataCategory.Identifier, start)];
        Assert.Equal(start.AddDays(30), ExpirySchedule.NextExpiry(items));

        time.Advance(TimeSpan.FromDays(30) - TimeSpan.FromTicks(1));
        var (keptBefore, destroyedBefore) = ExpirySchedule.Purge(items, time.GetUtcNow());
        Assert.Equal(3, keptBefore.Count);
        Assert.Empty(destroyedBefore);

        time.Advance(TimeSpan.FromTicks(1));
        var (kept, destroyed) = ExpirySchedule.Purge(items, time.GetUtcNow());
        Assert.Equal(1, destroyed[DataCategory.IpAddress]);
        Assert.Equal(["usage", "id"], kept.Select(item => item.ItemId));
        Assert.Equal(start.AddDays(90), ExpirySchedule.NextExpiry(kept));

        time.Advance(TimeSpan.FromDays(60));
        var (last, _) = ExpirySchedule.Purge(kept, time.GetUtcNow());
        Assert.Equal(["id"], last.Select(item => item.ItemId));
        Assert.Null(ExpirySchedule.NextExpiry(last));
    }

    [Fact]
    public void A_legal_hold_defers_expiry_until_it_ends_or_is_lifted()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
        var start = time.GetUtcNow();
        List<HeldItem> items = [Item("ip", DataCategory.IpAddress, start)];
        var expiry = start.AddDays(30);
        var openEnded = new LegalHold("litigation", "case 17", start, EndsAt: null, "officer");
        var ending = openEnded with { EndsAt = start.AddDays(45) };

        // Without a hold the reminder is due at the expiry; under an open-ended hold there is none until it is lifted.
        Assert.Equal(expiry, ExpirySchedule.NextDue(ExpirySchedule.NextExpiry(items), null, time.GetUtcNow()));
        Assert.Null(ExpirySchedule.NextDue(expiry, openEnded, time.GetUtcNow()));

        // Under a hold with an end it is due when the hold ends (if that is after the expiry).
        Assert.Equal(start.AddDays(45), ExpirySchedule.NextDue(expiry, ending, time.GetUtcNow()));
        Assert.Equal(expiry, ExpirySchedule.NextDue(expiry, openEnded with { EndsAt = start.AddDays(10) }, time.GetUtcNow()));

        time.Advance(TimeSpan.FromDays(31));
        Assert.True(ExpirySchedule.Defers(ending, time.GetUtcNow()));
        Assert.True(items.Single().IsExpiredAt(time.GetUtcNow()));

        // At the hold's end exactly, it defers nothing any more and the expired item is due at once.
        time.Advance(TimeSpan.FromDays(14));
        Assert.False(ExpirySchedule.Defers(ending, time.GetUtcNow()));
        Assert.Equal(expiry, ExpirySchedule.NextDue(expiry, ending, time.GetUtcNow()));
        Assert.Equal(1, ExpirySchedule.Purge(items, time.GetUtcNow()).Destroyed[DataCategory.IpAddress]);

        // Lifted (no hold): due at the expiry, which has passed: the reminder fires at once.
        Assert.Equal(expiry, ExpirySchedule.NextDue(expiry, null, time.GetUtcNow()));
    }

    private static HeldItem Item(string id, DataCategory category, DateTimeOffset collected) => new(
        id, null, category, DataSource.Automatic, DataPurpose.UsageStatistics, collected, s_defaults.ExpiryOf(category, collected),
        category is DataCategory.IpAddress or DataCategory.Identifier, null, ImmutableDictionary<string, double>.Empty);
}
