using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using PrimeDirective.Grains.OpenDsr;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Requests;
using PrimeDirective.Grains.Storage;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Telemetry;

/// <summary>
/// The operations gauges read from a real PostgreSQL database at chosen times: erasures owed to processors, OpenDSR
/// requests past their expected completion, and the age of the oldest undelivered outbox message, per region. What is
/// closed is not counted, another region's rows never count, and no label carries an owner's grain id.
/// </summary>
public sealed class OperationsGaugeTests
{
    private static readonly DateTimeOffset s_t0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Erasures_owed_to_processors_and_late_OpenDSR_requests_are_counted_per_region_and_closed_work_is_not()
    {
        var (database, databases) = await DatabaseAsync("open_work_gauges");
        await using var _ = database;
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var recorder = new MetricsRecorder([meters]);
        var work = new PostgresOpenWork(databases);
        var propagation = new PropagationMetrics(meters, work, databases);
        var backlog = new OpenDsrBacklogMetrics(meters, work, databases);

        await propagation.RefreshAsync(s_t0, CancellationToken.None);
        await backlog.RefreshAsync(s_t0, CancellationToken.None);
        var empty = Scrape(recorder);
        Assert.Equal(0, empty.Value("prime_directive.processors.propagation.pending", ("region", "eu")));
        Assert.Equal(0, empty.Value("prime_directive.processors.propagation.pending", ("region", "us")));
        Assert.Equal(0, empty.Value("prime_directive.opendsr.overdue", ("region", "eu"), ("state", "pending")));

        var (euA, euB, us) = (Grain("privacyrequest", "eu"), Grain("privacyrequest", "eu"), Grain("privacyrequest", "us"));
        await work.OpenAsync("eu", PropagationMetrics.Kind, euA, "pending", s_t0, null);
        await work.OpenAsync("eu", PropagationMetrics.Kind, euB, "pending", s_t0, null);
        await work.OpenAsync("us", PropagationMetrics.Kind, us, "pending", s_t0, null);

        // Written again on a later tick: still one erasure, open since the first write.
        await work.OpenAsync("eu", PropagationMetrics.Kind, euA, "pending", s_t0.AddHours(5), null);
        Assert.Equal(s_t0.UtcDateTime, await database.ScalarAsync<DateTime>("select since from open_work where owner = @owner", ("owner", euA.ToString())));

        var (late, onTime, moved, abroad, done) = (Grain("opendsr-in", "eu"), Grain("opendsr-in", "eu"), Grain("opendsr-in", "eu"), Grain("opendsr-in", "us"), Grain("opendsr-in", "eu"));
        await work.OpenAsync("eu", OpenDsrBacklogMetrics.Kind, late, "pending", s_t0, s_t0.AddDays(1));
        await work.OpenAsync("eu", OpenDsrBacklogMetrics.Kind, onTime, "in_progress", s_t0, s_t0.AddDays(30));
        await work.OpenAsync("eu", OpenDsrBacklogMetrics.Kind, moved, "pending", s_t0, s_t0.AddDays(1));
        await work.OpenAsync("eu", OpenDsrBacklogMetrics.Kind, moved, "in_progress", s_t0, s_t0.AddDays(1));
        await work.OpenAsync("us", OpenDsrBacklogMetrics.Kind, abroad, "in_progress", s_t0, s_t0.AddHours(1));
        await work.OpenAsync("eu", OpenDsrBacklogMetrics.Kind, done, "in_progress", s_t0, s_t0.AddHours(1));
        await work.CloseAsync("eu", OpenDsrBacklogMetrics.Kind, done);

        var at = s_t0.AddDays(2);
        await propagation.RefreshAsync(at, CancellationToken.None);
        await backlog.RefreshAsync(at, CancellationToken.None);
        var open = Scrape(recorder);
        Assert.Equal(2, open.Value("prime_directive.processors.propagation.pending", ("region", "eu")));
        Assert.Equal(1, open.Value("prime_directive.processors.propagation.pending", ("region", "us")));
        Assert.Equal(1, open.Value("prime_directive.opendsr.overdue", ("region", "eu"), ("state", "pending")));
        Assert.Equal(1, open.Value("prime_directive.opendsr.overdue", ("region", "eu"), ("state", "in_progress")));
        Assert.Equal(1, open.Value("prime_directive.opendsr.overdue", ("region", "us"), ("state", "in_progress")));
        Assert.Equal(0, open.Value("prime_directive.opendsr.overdue", ("region", "us"), ("state", "pending")));

        // The eu erasure's last processor answered: it leaves the count; the other region's is untouched.
        await work.CloseAsync("eu", PropagationMetrics.Kind, euA);
        await propagation.RefreshAsync(at, CancellationToken.None);
        var answered = Scrape(recorder);
        Assert.Equal(1, answered.Value("prime_directive.processors.propagation.pending", ("region", "eu")));
        Assert.Equal(1, answered.Value("prime_directive.processors.propagation.pending", ("region", "us")));

        MetricsJourneyTests.AssertNoIdentifierIn(recorder.Measurements, [.. new[] { euA, euB, us, late, onTime, moved, abroad, done }.Select(id => id.Key.ToString()!)]);
    }

    [Fact]
    public async Task The_oldest_undelivered_outbox_age_counts_from_the_first_mark_of_an_owner_and_falls_to_zero_once_none_waits()
    {
        var (database, databases) = await DatabaseAsync("outbox_age_gauge");
        await using var _ = database;
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var recorder = new MetricsRecorder([meters]);
        var marks = new PostgresOutboxMarks(databases);
        var gauges = new OutboxMetrics(meters, databases);
        var (first, second) = (Grain("user", "eu"), Grain("user", "eu"));

        await marks.MarkAsync("eu", first, s_t0.AddMinutes(5));
        var firstSince = await SinceAsync(database, first);

        // Marked again as it retries: the mark's due time moves, its queued-since does not.
        await marks.MarkAsync("eu", first, s_t0.AddMinutes(10));
        Assert.Equal(firstSince, await SinceAsync(database, first));
        await marks.MarkAsync("eu", second, s_t0.AddMinutes(5));
        var secondSince = await SinceAsync(database, second);
        Assert.True(secondSince >= firstSince);

        var at = firstSince.AddHours(2);
        await gauges.RefreshAsync(at, CancellationToken.None);
        var waiting = Scrape(recorder);
        Assert.Equal(TimeSpan.FromHours(2).TotalSeconds, waiting.Value("prime_directive.outbox.oldest_age", ("region", "eu")));
        Assert.Equal(0, waiting.Value("prime_directive.outbox.oldest_age", ("region", "us")));
        Assert.Equal(2, waiting.Value("prime_directive.outbox.depth", ("region", "eu"), ("state", "waiting")));

        await marks.UnmarkAsync("eu", first);
        await gauges.RefreshAsync(at, CancellationToken.None);
        Assert.Equal((at - secondSince).TotalSeconds, Scrape(recorder).Value("prime_directive.outbox.oldest_age", ("region", "eu")));

        await marks.UnmarkAsync("eu", second);
        await gauges.RefreshAsync(at, CancellationToken.None);
        Assert.Equal(0, Scrape(recorder).Value("prime_directive.outbox.oldest_age", ("region", "eu")));
        MetricsJourneyTests.AssertNoIdentifierIn(recorder.Measurements, first.Key.ToString()!, second.Key.ToString()!);
    }

    private static async Task<(TestDatabase Database, RegionDatabases Databases)> DatabaseAsync(string purpose)
    {
        var database = await TestDatabase.CreateAsync(purpose);
        await new SchemaMigrator(NullLogger<SchemaMigrator>.Instance).ApplyAsync(database.ConnectionString, CancellationToken.None);
        return (database, new RegionDatabases(new Dictionary<string, string> { ["eu"] = database.ConnectionString, ["us"] = database.ConnectionString }));
    }

    private static GrainId Grain(string type, string region) => GrainId.Create(type, $"{region}/{Guid.NewGuid():N}");

    private static async Task<DateTimeOffset> SinceAsync(TestDatabase database, GrainId owner) =>
        new(DateTime.SpecifyKind(await database.ScalarAsync<DateTime>("select queued_since from outbox_mark where owner = @owner", ("owner", owner.ToString())), DateTimeKind.Utc));

    private static Gauges Scrape(MetricsRecorder recorder)
    {
        var seen = recorder.Measurements.Count;
        recorder.Observe();
        return new Gauges([.. recorder.Measurements.Skip(seen)]);
    }

    private sealed record Gauges(IReadOnlyList<RecordedMeasurement> Measurements)
    {
        public double Value(string instrument, params (string Key, string Value)[] labels) => Assert.Single(Measurements, measurement =>
            measurement.Instrument == instrument && labels.All(label => measurement.Labels.GetValueOrDefault(label.Key) == label.Value)).Value;
    }
}
