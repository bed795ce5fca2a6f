using System.Collections.Immutable;
using Microsoft.Extensions.Logging.Testing;
using Npgsql;
using PrimeDirective.Grains.Interfaces.Stats;
using PrimeDirective.Grains.Stats;
using PrimeDirective.Grains.Storage;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Stats;

/// <summary>The release store on a real PostgreSQL database: one release per day whoever asks at once, final once written.</summary>
public sealed class ReleaseStoreTests : IAsyncLifetime
{
    private static readonly ImmutableArray<StatsBudget> s_budget = [new(StatsStatistics.Versions, 0.3, 1, 49)];

    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync("stats_release");
        await new SchemaMigrator(new FakeLogger<SchemaMigrator>()).ApplyAsync(_database.ConnectionString, CancellationToken.None);
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Eight_silos_releasing_a_day_at_once_store_one_release_and_draw_its_noise_once()
    {
        var day = (await FloorAsync()).AddDays(3);
        await new PostgresAggregateStore(_database.ConnectionString).AddAsync([new AggregateCount(day, "versions", "v20261130.1", 70, 0, 0)], cap: 16);
        var store = new PostgresReleaseStore(_database.ConnectionString);
        var drawn = 0;

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(silo => Task.Run(() => store.ReleaseAsync(day, counts =>
        {
            Interlocked.Increment(ref drawn);
            var clusters = Assert.Single(counts).Clusters + silo;
            return new DayRelease(new StatsDay(day, DateTimeOffset.UnixEpoch, 5, 0.3, 1e-6, s_budget), [new StatsRow(day, "versions", "v20261130.1", clusters, null, null)]);
        }))));

        Assert.Single(results, released => released);
        Assert.Equal(1, drawn);
        var release = Assert.Single(await store.ReadAsync(day, day));
        var row = Assert.Single(release.Rows);
        Assert.InRange(row.Clusters, 70, 77);
        Assert.Equal(s_budget.AsEnumerable(), release.Day.Budget.AsEnumerable());
        Assert.Equal(1L, await _database.ScalarAsync<long>("select count(*) from stats_release_row"));
    }

    [Fact]
    public async Task A_released_day_is_refused_any_change_by_the_database()
    {
        var day = (await FloorAsync()).AddDays(1);
        var store = new PostgresReleaseStore(_database.ConnectionString);
        await store.ReleaseAsync(day, _ => new DayRelease(new StatsDay(day, DateTimeOffset.UnixEpoch, 5, 0.3, 1e-6, s_budget), [new StatsRow(day, "hosts", "1", 9, null, null)]));

        foreach (var statement in new[]
        {
            "update stats_release set k = 2", "delete from stats_release", "update stats_release_row set clusters = 1", "delete from stats_release_row",
            "update stats_release_budget set epsilon = 99", "delete from stats_release_budget",
        })
        {
            await Assert.ThrowsAsync<PostgresException>(() => _database.ScalarAsync<object>(statement));
        }

        var release = Assert.Single(await store.ReadAsync(day, day));
        Assert.Equal((5, 9L, 0.3), (release.Day.K, Assert.Single(release.Rows).Clusters, Assert.Single(release.Day.Budget).Epsilon));
    }

    [Fact]
    public async Task Releases_start_at_the_first_day_counted_but_never_before_the_schema_and_follow_on_from_the_latest()
    {
        var store = new PostgresReleaseStore(_database.ConnectionString);
        var aggregates = new PostgresAggregateStore(_database.ConnectionString);
        var floor = await FloorAsync();
        Assert.Null(await store.NextUnreleasedAsync());

        // Counted before the schema (the old projection): never released; the first release is the floor's day.
        await aggregates.AddAsync([new AggregateCount(floor.AddDays(-2), "versions", "v20261130.1", 9, 0, 0)], cap: 16);
        Assert.Equal(floor, await store.NextUnreleasedAsync());

        await store.ReleaseAsync(floor, _ => new DayRelease(new StatsDay(floor, DateTimeOffset.UnixEpoch, 5, 0.3, 1e-6, s_budget), []));
        Assert.Equal(floor.AddDays(1), await store.NextUnreleasedAsync());
        Assert.Equal(floor, await store.LatestAsync());
        Assert.Empty(await store.ReadAsync(floor.AddDays(-2), floor.AddDays(-1)));
    }

    private async Task<DateOnly> FloorAsync() =>
        DateOnly.ParseExact((await _database.ScalarAsync<string>("select first_day::text from stats_release_floor"))!, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
