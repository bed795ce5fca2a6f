using System.Collections.Immutable;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Storage;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Retention;

/// <summary>
/// Retention across subjects (DESIGN §2's second exception), on a real PostgreSQL database at chosen policy times: one
/// statement per batch deletes many clusters' expired report rows (nulling an IP address that expired on its own),
/// skips every subject the legal_hold mirror holds, and counts what it destroyed in the ledger in the same statement.
/// </summary>
public sealed class RetentionWaveTests
{
    // Reports collected at T0: their IP addresses expire at T0 + 30 days, everything else at T0 + 90 days.
    private static readonly DateTimeOffset s_t0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset s_ipGone = s_t0.AddDays(31);
    private static readonly DateTimeOffset s_allGone = s_t0.AddDays(91);

    [Fact]
    public async Task A_wave_destroys_the_expired_rows_of_many_subjects_and_counts_them_in_the_ledger()
    {
        await using var region = await RegionAsync();
        var subjects = await region.ReportsAsync(count: 12, reportsEach: 2);
        var fresh = await region.ReportsAsync(count: 1, reportsEach: 1, collectedAt: s_t0.AddDays(80));
        var abroad = await region.ReportsAsync(count: 1, reportsEach: 2, prefix: "us");

        // First the addresses alone: each row keeps its other items and loses its address, its ledger counts them.
        var first = await region.Waves.RunAsync("eu", s_ipGone, batchRows: 5);

        Assert.Equal(5, first.Length);
        Assert.Equal(24, first.Sum(batch => batch.Rows));
        Assert.Equal(24, first.Sum(batch => batch.Destroyed[DataCategory.IpAddress]));
        Assert.All(first, batch => Assert.Equal([DataCategory.IpAddress], batch.Destroyed.Keys));
        Assert.Equal(first.Length, first.Select(batch => batch.ProofId).Distinct().Count());
        Assert.Equal(0L, await region.CountAsync("select count(*) from report where ip_address is not null and subject_key = any(@keys)", subjects));
        Assert.Equal(48L, await region.CountAsync("select count(*) from report_items where subject_key = any(@keys)", subjects));
        Assert.Equal(new Dictionary<string, long> { ["ip-address"] = 24 }, await region.LedgerAsync());

        // Then the rest: every row of those subjects goes, each item counted once, under the wave's own proofs.
        var second = await region.Waves.RunAsync("eu", s_allGone, batchRows: 5);

        Assert.Equal(24, second.Sum(batch => batch.Rows));
        Assert.Equal(0L, await region.CountAsync("select count(*) from report where subject_key = any(@keys)", subjects));
        Assert.Equal(
            new Dictionary<string, long> { ["ip-address"] = 24, ["usage"] = 24, ["configuration"] = 24 },
            await region.LedgerAsync());
        Assert.All(await region.ProofsAsync(), proof => Assert.StartsWith("wave-", proof, StringComparison.Ordinal));

        // Nothing not yet expired and nothing of another region changed: their rows and addresses are all there.
        Assert.Equal(3L, await region.CountAsync("select count(*) from report_items where subject_key = any(@keys)", fresh));
        Assert.Equal(1L, await region.CountAsync("select count(*) from report where ip_address is not null and subject_key = any(@keys)", fresh));
        Assert.Equal(2L, await region.CountAsync("select count(*) from report where ip_address is not null and subject_key = any(@keys)", abroad));
        Assert.Equal(6L, await region.CountAsync("select count(*) from report_items where subject_key = any(@keys)", abroad));
    }

    [Fact]
    public async Task Held_rows_survive_a_wave_and_only_a_hold_in_force_keeps_them()
    {
        await using var region = await RegionAsync();
        var free = await region.ReportsAsync(count: 4, reportsEach: 2);
        var held = await region.ReportsAsync(count: 3, reportsEach: 2);
        var heldUntilLater = await region.ReportsAsync(count: 1, reportsEach: 2);
        var heldUntilBefore = await region.ReportsAsync(count: 1, reportsEach: 2);
        foreach (var key in held)
        {
            await region.Mirror.HoldAsync("eu", key, "cluster", LegalHoldRows.NewId(), Hold(endsAt: null));
        }

        await region.Mirror.HoldAsync("eu", heldUntilLater[0], "cluster", LegalHoldRows.NewId(), Hold(endsAt: s_allGone.AddDays(30)));
        await region.Mirror.HoldAsync("eu", heldUntilBefore[0], "cluster", LegalHoldRows.NewId(), Hold(endsAt: s_t0.AddDays(10)));

        var batches = await region.Waves.RunAsync("eu", s_allGone);

        // The held subjects keep every row and every item, their addresses included.
        string[] kept = [.. held, .. heldUntilLater];
        Assert.Equal(8L, await region.CountAsync("select count(*) from report where ip_address is not null and subject_key = any(@keys)", kept));
        Assert.Equal(24L, await region.CountAsync("select count(*) from report_items where subject_key = any(@keys)", kept));

        // A hold that has ended holds nothing: that subject's rows went with the free subjects', and only theirs were counted.
        Assert.Equal(0L, await region.CountAsync("select count(*) from report where subject_key = any(@keys)", [.. free, .. heldUntilBefore]));
        Assert.Equal(10, batches.Sum(batch => batch.Rows));
        Assert.Equal(
            new Dictionary<string, long> { ["ip-address"] = 10, ["usage"] = 10, ["configuration"] = 10 },
            await region.LedgerAsync());

        // Lifted, a hold stops holding: the next wave destroys what it kept, and nothing of the others still held.
        await region.Mirror.ReleaseAsync("eu", held[0], (await region.HoldIdsAsync(held[0])).Single());
        var after = await region.Waves.RunAsync("eu", s_allGone);

        Assert.Equal(2, after.Sum(batch => batch.Rows));
        Assert.Equal(0L, await region.CountAsync("select count(*) from report where subject_key = any(@keys)", [held[0]]));
        Assert.Equal(18L, await region.CountAsync("select count(*) from report_items where subject_key = any(@keys)", [.. held[1..], .. heldUntilLater]));
        Assert.Equal(
            new Dictionary<string, long> { ["ip-address"] = 12, ["usage"] = 12, ["configuration"] = 12 },
            await region.LedgerAsync());
    }

    [Fact]
    public async Task A_wave_rerun_after_a_crash_uses_the_same_proof_id_and_counts_nothing_twice()
    {
        await using var region = await RegionAsync();
        var subjects = await region.ReportsAsync(count: 6, reportsEach: 2);

        // The first attempt dies before its commit: nothing of it stays, neither deletion nor count.
        string crashedProof;
        await using (var connection = new NpgsqlConnection(region.Database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            var crashed = await ReportRetentionWaves.ExpireAsync(connection, transaction, "eu", s_allGone, 1000);
            Assert.Equal(12, crashed.Rows);
            crashedProof = crashed.ProofId!;
            await connection.CloseAsync();
        }

        Assert.Equal(12L, await region.CountAsync("select count(*) from report where subject_key = any(@keys)", subjects));
        Assert.Empty(await region.LedgerAsync());

        // Run again at the same time: the same rows, the same proof id, each item counted once.
        var rerun = await region.Waves.RunAsync("eu", s_allGone);

        Assert.Equal(crashedProof, Assert.Single(rerun).ProofId);
        Assert.Equal(0L, await region.CountAsync("select count(*) from report where subject_key = any(@keys)", subjects));
        var counted = new Dictionary<string, long> { ["ip-address"] = 12, ["usage"] = 12, ["configuration"] = 12 };
        Assert.Equal(counted, await region.LedgerAsync());
        Assert.Equal([crashedProof], await region.ProofsAsync());

        // Run once more, as after a crash that came after the commit: nothing is left to destroy or to count.
        Assert.Empty(await region.Waves.RunAsync("eu", s_allGone));
        Assert.Equal(counted, await region.LedgerAsync());
    }

    private static LegalHold Hold(DateTimeOffset? endsAt) => new("Preservation order", "case-wave", s_t0, endsAt, "officer");

    private static async Task<Region> RegionAsync()
    {
        var database = await TestDatabase.CreateAsync("retention_wave");
        await new SchemaMigrator(NullLogger<SchemaMigrator>.Instance).ApplyAsync(database.ConnectionString, CancellationToken.None);
        var databases = new RegionDatabases(new Dictionary<string, string> { ["eu"] = database.ConnectionString, ["us"] = database.ConnectionString });
        return new Region(database, databases, await TestSealing.CreateKeyStoreAsync("retention_wave"));
    }

    /// <summary>A fresh database serving regions eu and us, with its report log, hold mirror and waves.</summary>
    private sealed class Region(TestDatabase database, RegionDatabases databases, TestKeyStore keys) : IAsyncDisposable
    {
        public TestDatabase Database => database;

        public ReportRetentionWaves Waves { get; } = new(databases);

        public PostgresLegalHoldMirror Mirror { get; } = new(databases);

        private PostgresReportLog Log { get; } = new(databases, keys.Addresses, NullLogger<PostgresReportLog>.Instance);

        /// <summary>Stores <paramref name="reportsEach"/> reports (usage, configuration, IP address) for each of <paramref name="count"/> new subjects.</summary>
        public async Task<string[]> ReportsAsync(int count, int reportsEach, DateTimeOffset? collectedAt = null, string prefix = "eu")
        {
            var at = collectedAt ?? s_t0;
            var keys = Enumerable.Range(0, count).Select(_ => $"{prefix}/{Guid.NewGuid():N}").ToArray();
            foreach (var key in keys)
            {
                for (var report = 0; report < reportsEach; report++)
                {
                    var reportId = Guid.NewGuid().ToString("N");
                    HeldItem Item(DataCategory category, string? value, int days) => new(
                        ReportRows.ItemId(reportId, category), reportId, category, DataSource.Automatic, DataPurpose.UsageStatistics, at,
                        at.AddDays(days), Personal: true, value, ImmutableDictionary<string, double>.Empty.Add("hosts", 3));
                    var append = await Log.AppendAsync(prefix, key, reportId, [
                        Item(DataCategory.Usage, null, 90), Item(DataCategory.Configuration, "v20161114.0", 90), Item(DataCategory.IpAddress, "203.0.113.77", 30)]);
                    Assert.True(append.Stored);
                }
            }

            return keys;
        }

        public async Task<long> CountAsync(string sql, string[] keys) => await database.ScalarAsync<long>(sql, ("keys", keys));

        /// <summary>The ledger's counts by category, over every day.</summary>
        public async Task<Dictionary<string, long>> LedgerAsync()
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("select category, sum(count)::bigint from destruction_ledger group by category", connection);
            var counts = new Dictionary<string, long>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                counts[reader.GetString(0)] = reader.GetInt64(1);
            }

            return counts;
        }

        public Task<List<string>> HoldIdsAsync(string key) => StringsAsync("select hold_id from legal_hold where subject_key = @key order by 1", key);

        public Task<List<string>> ProofsAsync() => StringsAsync("select distinct proof_id from destruction_ledger order by 1", null);

        private async Task<List<string>> StringsAsync(string sql, string? key)
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            if (key is not null)
            {
                command.Parameters.AddWithValue("key", key);
            }

            var proofs = new List<string>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                proofs.Add(reader.GetString(0));
            }

            return proofs;
        }

        public async ValueTask DisposeAsync()
        {
            await Log.DisposeAsync();
            await keys.DisposeAsync();
            await database.DisposeAsync();
        }
    }
}
