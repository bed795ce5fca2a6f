using System.Collections.Immutable;
using Microsoft.Extensions.Time.Testing;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Privacy;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Grains.Tests.Retention;

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
    public void Report_expiries_are_rounded_down_to_the_granularity_never_later_and_never_more_than_a_tenth_of_the_retention()
    {
        var collected = new DateTimeOffset(2026, 11, 28, 17, 45, 12, TimeSpan.Zero);

        // A day by default: the reports of a day share one expiry, up to a day early.
        Assert.Equal(new DateTimeOffset(2026, 12, 28, 0, 0, 0, TimeSpan.Zero), s_defaults.RoundedExpiryOf(DataCategory.IpAddress, collected));
        Assert.Equal(new DateTimeOffset(2027, 2, 26, 0, 0, 0, TimeSpan.Zero), s_defaults.RoundedExpiryOf(DataCategory.Usage, collected));

        // A day's retention is rounded by a tenth of it (2.4 h), not by a day.
        var inferred = s_defaults.RoundedExpiryOf(DataCategory.Inferred, collected)!.Value;
        Assert.InRange(inferred, collected.AddDays(1) - TimeSpan.FromHours(2.4), collected.AddDays(1));

        // Seconds of retention stay (almost) exact; nothing is ever later than its unrounded expiry.
        var seconds = new RetentionOptions { IpAddress = TimeSpan.FromSeconds(2) };
        Assert.InRange(seconds.RoundedExpiryOf(DataCategory.IpAddress, collected)!.Value, collected.AddSeconds(1.8), collected.AddSeconds(2));
        Assert.Null(s_defaults.RoundedExpiryOf(DataCategory.Account, collected));
    }

    [Fact]
    public void A_legal_hold_defers_expiry_until_it_ends_or_is_lifted()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
        var start = time.GetUtcNow();
        var item = Item("ip", DataCategory.IpAddress, start);
        var expiry = start.AddDays(30);
        var openEnded = new LegalHold("litigation", "case 17", start, EndsAt: null, "officer");
        var ending = openEnded with { EndsAt = start.AddDays(45) };

        // Without a hold the reminder is due at the expiry; under an open-ended hold there is none until it is lifted.
        Assert.Equal(expiry, ExpirySchedule.NextDue(item.ExpiresAt, null, time.GetUtcNow()));
        Assert.Null(ExpirySchedule.NextDue(expiry, openEnded, time.GetUtcNow()));

        // Under a hold with an end it is due when the hold ends (if that is after the expiry).
        Assert.Equal(start.AddDays(45), ExpirySchedule.NextDue(expiry, ending, time.GetUtcNow()));
        Assert.Equal(expiry, ExpirySchedule.NextDue(expiry, openEnded with { EndsAt = start.AddDays(10) }, time.GetUtcNow()));

        time.Advance(TimeSpan.FromDays(31));
        Assert.True(ExpirySchedule.Defers(ending, time.GetUtcNow()));
        Assert.True(item.IsExpiredAt(time.GetUtcNow()));

        // At the hold's end exactly, it defers nothing any more and the expired item is due at once.
        time.Advance(TimeSpan.FromDays(14));
        Assert.False(ExpirySchedule.Defers(ending, time.GetUtcNow()));
        Assert.Equal(expiry, ExpirySchedule.NextDue(expiry, ending, time.GetUtcNow()));

        // Lifted (no hold): due at the expiry, which has passed: the reminder fires at once.
        Assert.Equal(expiry, ExpirySchedule.NextDue(expiry, null, time.GetUtcNow()));
    }

    private static HeldItem Item(string id, DataCategory category, DateTimeOffset collected) => new(
        id, null, category, DataSource.Automatic, DataPurpose.UsageStatistics, collected, s_defaults.ExpiryOf(category, collected),
        category is DataCategory.IpAddress or DataCategory.Identifier, null, ImmutableDictionary<string, double>.Empty);
}
