using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Grains.Storage;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Telemetry;

/// <summary>
/// The privacy SLO's gauges on a real PostgreSQL database at chosen policy times: items past their expiry that no sweep
/// destroyed yet are counted per region (report rows and the epoch keys of ended days), what a legal hold in force keeps
/// is not, and the count falls once the region's wave ran. A scrape reads the last refresh, never the database.
/// </summary>
public sealed class OverdueGaugeTests
{
    private static readonly DateTimeOffset s_t0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Overdue_items_rise_past_their_expiry_until_the_sweep_runs_and_held_items_are_never_counted()
    {
        var database = await TestDatabase.CreateAsync("overdue_gauge");
        await using var _ = database;
        await new SchemaMigrator(NullLogger<SchemaMigrator>.Instance).ApplyAsync(database.ConnectionString, CancellationToken.None);
        await using var keys = await TestSealing.CreateKeyStoreAsync("overdue_gauge");
        var databases = new RegionDatabases(new Dictionary<string, string> { ["eu"] = database.ConnectionString, ["us"] = database.ConnectionString });
        await using var log = new PostgresReportLog(databases, keys.Addresses, NullLogger<PostgresReportLog>.Instance);
        var free = await ReportsAsync(log, "eu", count: 2);
        var held = await ReportsAsync(log, "eu", count: 1);
        var abroad = await ReportsAsync(log, "us", count: 1);
        var mirror = new PostgresLegalHoldMirror(databases);
        await mirror.HoldAsync("eu", held[0], "cluster", LegalHoldRows.NewId(), new LegalHold("Preservation order", "case-overdue", s_t0, null, "officer"));

        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var recorder = new MetricsRecorder([meters]);
        var store = new KeyStore(
            new PostgresKeyRows(keys.Database.ConnectionString),
            new KeyEncryptionKeys(Options.Create(new KeyStoreOptions { Keks = new() { ["1"] = keys.Kek } }), mayDrawRandom: false),
            new FakeTimeProvider(s_t0));
        var gauges = new RetentionMetrics(meters, new OverdueItems(databases, store));

        // Before anything expired: every region is published, at zero.
        await gauges.RefreshAsync(s_t0.AddDays(1), CancellationToken.None);
        var before = Scrape(recorder);
        Assert.Equal(0, before.Overdue("eu", OverdueItems.Reports));
        Assert.Equal(0, before.Overdue("us", OverdueItems.Reports));
        Assert.Equal(0, before.Overdue("eu", OverdueItems.EpochKeys));
        Assert.Equal(0, before.OldestAge("eu"));

        // The addresses expired at T0 + 30 days, their epoch's day ended a day later, and no sweep ran.
        var late = s_t0.AddDays(31).AddHours(2);
        await gauges.RefreshAsync(late, CancellationToken.None);
        var overdue = Scrape(recorder);
        Assert.Equal(free.Length, overdue.Overdue("eu", OverdueItems.Reports));
        Assert.Equal(abroad.Length, overdue.Overdue("us", OverdueItems.Reports));
        Assert.Equal(1, overdue.Overdue("eu", OverdueItems.EpochKeys));
        Assert.Equal(1, overdue.Overdue("us", OverdueItems.EpochKeys));
        Assert.Equal(TimeSpan.FromHours(26).TotalSeconds, overdue.OldestAge("eu"));

        // The eu wave destroys what is due: eu's report rows leave the count, the held one was never in it, us is untouched.
        await new ReportRetentionWaves(databases).RunAsync("eu", late);
        await gauges.RefreshAsync(late, CancellationToken.None);
        var swept = Scrape(recorder);
        Assert.Equal(0, swept.Overdue("eu", OverdueItems.Reports));
        Assert.Equal(abroad.Length, swept.Overdue("us", OverdueItems.Reports));
        Assert.Equal(1L, await database.ScalarAsync<long>("select count(*) from report where subject_key = any(@keys)", ("keys", held)));

        MetricsJourneyTests.AssertNoIdentifierIn(recorder.Measurements, [.. free, .. held, .. abroad]);
    }

    private static Gauges Scrape(MetricsRecorder recorder)
    {
        var seen = recorder.Measurements.Count;
        recorder.Observe();
        return new Gauges([.. recorder.Measurements.Skip(seen)]);
    }

    private static async Task<string[]> ReportsAsync(PostgresReportLog log, string region, int count)
    {
        var keys = Enumerable.Range(0, count).Select(_ => $"{region}/{Guid.NewGuid():N}").ToArray();
        foreach (var key in keys)
        {
            var reportId = Guid.NewGuid().ToString("N");
            HeldItem Item(DataCategory category, string? value, int days) => new(
                ReportRows.ItemId(reportId, category), reportId, category, DataSource.Automatic, DataPurpose.UsageStatistics, s_t0,
                s_t0.AddDays(days), Personal: true, value, ImmutableDictionary<string, double>.Empty);
            var append = await log.AppendAsync(region, key, reportId, [Item(DataCategory.Usage, null, 90), Item(DataCategory.IpAddress, "203.0.113.9", 30)]);
            Assert.True(append.Stored);
        }

        return keys;
    }

    private sealed record Gauges(IReadOnlyList<RecordedMeasurement> Measurements)
    {
        public double Overdue(string region, string store) => Assert.Single(Measurements,
            measurement => measurement.Instrument == "prime_directive.retention.overdue" && measurement.Labels["region"] == region && measurement.Labels["store"] == store).Value;

        public double OldestAge(string region) => Assert.Single(Measurements,
            measurement => measurement.Instrument == "prime_directive.retention.overdue.oldest_age" && measurement.Labels["region"] == region).Value;
    }
}
