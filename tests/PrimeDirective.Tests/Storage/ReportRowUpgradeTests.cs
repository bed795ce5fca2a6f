using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Storage;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Storage;

/// <summary>
/// Upgrade in place from the item-per-row report log (V004/V012) to one row per report (V018), from a database the
/// release before it wrote (<c>tests/fixtures/report-log-v014.sql</c>, see its README): every item reads back exactly
/// as that release showed it, and retention goes on from there.
/// </summary>
public sealed class ReportRowUpgradeTests
{
    private static readonly JsonSerializerOptions s_json = new() { PropertyNameCaseInsensitive = true };

    [Fact]
    public async Task A_report_log_written_by_the_previous_release_reads_back_item_for_item_after_the_migration()
    {
        await using var database = await LoadFixtureAsync();
        var expected = Expected();
        Assert.Equal(14, await database.ScalarAsync<int>("select max(version) from schema_migration"));
        Assert.Equal(26L, await database.ScalarAsync<long>("select count(*) from report_item"));

        await new SchemaMigrator(NullLogger<SchemaMigrator>.Instance).ApplyAsync(database.ConnectionString, CancellationToken.None);

        // One row per report now: 3 Flynn reports and a crash report, then two clusters of 2 posted reports.
        Assert.Equal(8L, await database.ScalarAsync<long>("select count(*) from report"));
        Assert.Equal("r", await database.ScalarAsync<string>("select relkind::text from pg_class where relname = 'report'"));
        Assert.Null(await database.ScalarAsync<string>("select relkind::text from pg_class where relname = 'report_item'"));
        Assert.Equal(26L, await database.ScalarAsync<long>("select count(*) from report_items"));
        await using var keys = await TestSealing.CreateKeyStoreAsync("report_upgrade");
        await using var log = Log(database, keys);
        foreach (var cluster in expected.Clusters)
        {
            var page = await log.ReadAsync("eu", cluster.SubjectKey, expected.ReadAt, null, ReportRows.PageSize);
            Assert.Null(page.Next);
            Assert.Equal(cluster.Items.Length, page.Items.Length);
            foreach (var (want, got) in cluster.Items.Zip(page.Items))
            {
                // Protection is what the read found (plain here: the upgrade step has not sealed the address yet), not what the fixture holds.
                Assert.Equal(want with { Metrics = ImmutableDictionary<string, double>.Empty }, got with { Metrics = ImmutableDictionary<string, double>.Empty, Protection = null });
                Assert.Equal(want.Metrics.OrderBy(pair => pair.Key, StringComparer.Ordinal), got.Metrics.OrderBy(pair => pair.Key, StringComparer.Ordinal));
            }

            Assert.Equal(
                cluster.Items.GroupBy(item => item.Category).ToDictionary(group => group.Key, group => group.Count()),
                (await log.CountAsync("eu", cluster.SubjectKey)).ToDictionary());
        }
    }

    [Fact]
    public async Task After_the_migration_each_upgraded_item_still_expires_on_its_own_day_and_is_counted_in_the_ledger()
    {
        await using var database = await LoadFixtureAsync();
        var expected = Expected();
        await new SchemaMigrator(NullLogger<SchemaMigrator>.Instance).ApplyAsync(database.ConnectionString, CancellationToken.None);
        await using var keys = await TestSealing.CreateKeyStoreAsync("report_upgrade");
        await using var log = Log(database, keys);
        var flynn = expected.Clusters.Single(cluster => cluster.Name == "flynn-with-crash");
        var others = expected.Clusters.Where(cluster => cluster != flynn).ToList();
        var addresses = flynn.Items.Where(item => item.Category == DataCategory.IpAddress).ToList();
        var ipExpiry = addresses.Max(item => item.ExpiresAt!.Value);

        var deletion = await log.DeleteAsync("eu", flynn.SubjectKey, ipExpiry, all: false, "cluster", "expiry");

        Assert.Equal(new Dictionary<DataCategory, int> { [DataCategory.IpAddress] = addresses.Count }, deletion.Destroyed.ToDictionary());
        Assert.Equal(flynn.Items.Where(item => item.Category != DataCategory.IpAddress).Min(item => item.ExpiresAt), deletion.NextExpiry);
        var left = (await log.ReadAsync("eu", flynn.SubjectKey, expected.ReadAt, null, ReportRows.PageSize)).Items;
        Assert.Equal(flynn.Items.Where(item => item.Category != DataCategory.IpAddress).Select(item => item.ItemId), left.Select(item => item.ItemId));
        Assert.Equal(0L, await database.ScalarAsync<long>(
            "select count(*) from report where subject_key = @key and ip_address is not null", ("key", flynn.SubjectKey)));
        foreach (var address in addresses)
        {
            Assert.Equal(0L, await database.CountRowsContainingAsync(address.Value!));
        }

        Assert.Equal((long)addresses.Count, await database.ScalarAsync<long>(
            "select coalesce(sum(count), 0) from destruction_ledger where category = 'ip-address'"));

        // Nobody else's rows changed: the other clusters still hold every item, their addresses included.
        foreach (var cluster in others)
        {
            Assert.Equal(cluster.Items.Length, (await log.ReadAsync("eu", cluster.SubjectKey, expected.ReadAt, null, ReportRows.PageSize)).Items.Length);
        }
    }

    [Fact]
    public async Task The_upgrade_step_seals_every_address_the_previous_release_stored_plain_and_each_still_reads_back()
    {
        await using var database = await LoadFixtureAsync();
        var expected = Expected();
        await new SchemaMigrator(NullLogger<SchemaMigrator>.Instance).ApplyAsync(database.ConnectionString, CancellationToken.None);
        await using var keys = await TestSealing.CreateKeyStoreAsync("report_upgrade");
        var addresses = expected.Clusters.SelectMany(cluster => cluster.Items).Where(item => item.Category == DataCategory.IpAddress).Select(item => item.Value!).ToList();
        Assert.NotEmpty(addresses);
        var plainBefore = await database.ScalarAsync<long>("select count(*) from report where ip_address is not null");
        Assert.True(plainBefore > 0);
        foreach (var address in addresses.Distinct(StringComparer.Ordinal))
        {
            Assert.True(await ReportRowsShowingAsync(database, address) > 0);
        }

        var upgrade = new ReportAddressUpgrade(keys.Addresses, new RegionDatabases(new Dictionary<string, string> { ["eu"] = database.ConnectionString }), NullLogger<ReportAddressUpgrade>.Instance);
        await upgrade.RunAsync(CancellationToken.None);

        // No address is left plain (nor in hex or base64) in a report row (127.0.0.1 is also a silo's, in membership), and
        // every one is sealed in its row.
        foreach (var address in addresses.Distinct(StringComparer.Ordinal))
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(address);
            foreach (var needle in new[] { address, Convert.ToHexString(bytes), Convert.ToBase64String(bytes) })
            {
                Assert.Equal(0L, await ReportRowsShowingAsync(database, needle));
            }
        }

        Assert.Equal(0L, await database.CountRowsContainingAsync("203.0.113.1", openSealed: false));

        Assert.Equal(plainBefore, await database.ScalarAsync<long>("select count(*) from report where ip_address ~ '^[A-Za-z0-9+/]{78,}={0,2}$'"));
        Assert.Equal(plainBefore, await database.ScalarAsync<long>("select count(*) from report where ip_address is not null"));

        // Each still reads back item for item, its address included.
        await using var log = Log(database, keys);
        foreach (var cluster in expected.Clusters)
        {
            var page = await log.ReadAsync("eu", cluster.SubjectKey, expected.ReadAt, null, ReportRows.PageSize);
            Assert.Equal(cluster.Items.Select(item => (item.ItemId, item.Value)), page.Items.Select(item => (item.ItemId, item.Value)));
        }

        // Resumable and idempotent: a second run (a restart) finds nothing plain and changes nothing.
        var sealedOnce = await database.ScalarAsync<string>("select string_agg(ip_address, ',' order by subject_key, report_id) from report");
        Assert.Equal(0, await keys.Addresses.SealPlainAsync(database.ConnectionString, CancellationToken.None));
        Assert.Equal(sealedOnce, await database.ScalarAsync<string>("select string_agg(ip_address, ',' order by subject_key, report_id) from report"));
    }

    [Fact]
    public async Task The_upgrade_mirrors_the_hold_the_previous_release_kept_in_state_and_a_retention_wave_leaves_that_cluster_alone()
    {
        await using var database = await LoadFixtureAsync();
        var expected = Expected();
        var held = expected.Clusters.Single(cluster => cluster.Name == "held");
        var others = expected.Clusters.Where(cluster => cluster != held).ToList();

        await new SchemaMigrator(NullLogger<SchemaMigrator>.Instance).ApplyAsync(database.ConnectionString, CancellationToken.None);

        // Exactly the held cluster, open-ended, under the backfill's id: nobody else is mirrored as held.
        Assert.Equal(1L, await database.ScalarAsync<long>("select count(*) from legal_hold"));
        Assert.Equal(1L, await database.ScalarAsync<long>(
            "select count(*) from legal_hold where subject_key = @key and hold_id = 'backfill' and subject_kind = 'cluster' and ends_at is null", ("key", held.SubjectKey)));

        // A wave after every item's expiry: the held cluster keeps every item; the others lose all, each counted once.
        var after = expected.Clusters.SelectMany(cluster => cluster.Items).Max(item => item.ExpiresAt!.Value);
        var waves = new ReportRetentionWaves(new RegionDatabases(new Dictionary<string, string> { ["eu"] = database.ConnectionString }));
        var batches = await waves.RunAsync("eu", after);

        await using var keys = await TestSealing.CreateKeyStoreAsync("report_upgrade_hold");
        await using var log = Log(database, keys);
        Assert.Equal(held.Items.Length, (await log.CountAsync("eu", held.SubjectKey)).Values.Sum());
        foreach (var cluster in others)
        {
            Assert.Empty(await log.CountAsync("eu", cluster.SubjectKey));
        }

        var destroyed = others.SelectMany(cluster => cluster.Items).GroupBy(item => item.Category).ToDictionary(group => group.Key, group => group.Count());
        Assert.Equal(destroyed.OrderBy(pair => pair.Key), batches.SelectMany(batch => batch.Destroyed)
            .GroupBy(pair => pair.Key).ToDictionary(group => group.Key, group => group.Sum(pair => pair.Value)).OrderBy(pair => pair.Key));
        Assert.Equal((long)destroyed.Values.Sum(), await database.ScalarAsync<long>("select coalesce(sum(count), 0) from destruction_ledger"));
    }

    private static Task<long> ReportRowsShowingAsync(TestDatabase database, string needle) =>
        database.ScalarAsync<long>("select count(*) from report r where strpos(lower(r::text), lower(@needle)) > 0", ("needle", needle));

    private static PostgresReportLog Log(TestDatabase database, TestKeyStore keys) =>
        new(new RegionDatabases(new Dictionary<string, string> { ["eu"] = database.ConnectionString }), keys.Addresses, NullLogger<PostgresReportLog>.Instance);

    /// <summary>A fresh database holding exactly what the previous release wrote (schema at V014 and its rows).</summary>
    private static async Task<TestDatabase> LoadFixtureAsync()
    {
        var database = await TestDatabase.CreateAsync("report_upgrade");
        await LoadFixtureIntoAsync(database);
        return database;
    }

    /// <summary>Loads what the previous release wrote (schema at V014 and its rows) into the empty <paramref name="database"/>.</summary>
    internal static async Task LoadFixtureIntoAsync(TestDatabase database)
    {
        // psql's own meta-commands (\restrict) are not SQL; everything else is.
        var script = string.Join('\n', File.ReadLines(Path.Combine(RepositoryPaths.Root(), "tests", "fixtures", "report-log-v014.sql"))
            .Where(line => !line.StartsWith('\\')));
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var load = new NpgsqlCommand(script, connection);
        await load.ExecuteNonQueryAsync();
    }

    internal static Fixture Expected() =>
        JsonSerializer.Deserialize<Fixture>(File.ReadAllText(Path.Combine(RepositoryPaths.Root(), "tests", "fixtures", "report-log-v014.expected.json")), s_json)!;

    internal sealed record Fixture(DateTimeOffset ReadAt, string PseudonymKey, ImmutableArray<FixtureCluster> Clusters);

    internal sealed record FixtureCluster(string Name, string Cluster, string Bootstrap, string SubjectKey, ImmutableArray<HeldItem> Items);
}
