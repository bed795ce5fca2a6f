using System.Collections.Immutable;
using Microsoft.Extensions.Logging.Abstractions;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Storage;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Clusters;

/// <summary>
/// Appends are copied in batches (binary COPY into a staging table, then one insert that skips what is there): a
/// repeated report id in a batch is stored once and every repeat is acknowledged with the first one's time, without
/// failing the reports it shares a batch with.
/// </summary>
public sealed class ReportBatchTests
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_batch_with_a_repeated_report_id_stores_it_once_acknowledges_every_repeat_and_stores_the_rest()
    {
        await using var database = await MigratedAsync();
        await using var keys = await TestSealing.CreateKeyStoreAsync("report_batch");
        await using var log = Log(database, keys);
        var (subject, other) = ($"eu/{Guid.NewGuid():N}", $"eu/{Guid.NewGuid():N}");
        var known = await log.AppendAsync("eu", subject, "known", Items("known", s_now.AddMinutes(-5), hosts: 1, "198.51.100.1"));
        Assert.True(known.Stored);

        // Queued together, so the writers take them in as few batches as they can.
        var fresh = Enumerable.Range(0, 20).Select(i => log.AppendAsync("eu", subject, $"fresh-{i}", Items($"fresh-{i}", s_now, hosts: i, $"198.51.100.{10 + i}"))).ToList();
        var repeats = Enumerable.Range(0, 5).Select(i => log.AppendAsync("eu", subject, "twice", Items("twice", s_now.AddSeconds(i), hosts: 100 + i, $"203.0.113.{i}"))).ToList();
        var knownAgain = Enumerable.Range(0, 3).Select(i => log.AppendAsync("eu", subject, "known", Items("known", s_now, hosts: 200 + i, "203.0.113.99"))).ToList();
        var otherSubject = log.AppendAsync("eu", other, "twice", Items("twice", s_now, hosts: 300, "192.0.2.1"));

        Assert.All(await Task.WhenAll(fresh), append => Assert.True(append.Stored));
        var twiceAnswers = await Task.WhenAll(repeats);
        var stored = Assert.Single(twiceAnswers, append => append.Stored);
        Assert.All(twiceAnswers, append => Assert.Equal(stored.AcceptedAt, append.AcceptedAt));
        Assert.All(await Task.WhenAll(knownAgain), append => Assert.Equal(new ReportAppend(false, known.AcceptedAt), append));
        Assert.True((await otherSubject).Stored);

        Assert.Equal(22L, await database.ScalarAsync<long>("select count(*) from report where subject_key = @key", ("key", subject)));
        Assert.Equal(1L, await database.ScalarAsync<long>("select count(*) from report where subject_key = @key", ("key", other)));
        var twice = (await log.ReadAsync("eu", subject, s_now, null, ReportRows.PageSize)).Items.Where(item => item.ReportId == "twice").ToList();
        Assert.Equal(3, twice.Count);
        var hosts = Assert.Single(twice, item => item.Category == DataCategory.Usage).Metrics["hosts"];
        Assert.InRange(hosts, 100, 104);
        Assert.Equal($"203.0.113.{hosts - 100}", Assert.Single(twice, item => item.Category == DataCategory.IpAddress).Value);

        // Nothing of a refused repeat was kept: not its address, not its counts.
        database.Sealer = keys.Sealer;
        Assert.Equal(0L, await database.CountRowsContainingAsync("203.0.113.99"));
        Assert.Equal(1L, await database.CountRowsContainingAsync("203.0.113."));
        Assert.Equal(1L, await database.ScalarAsync<long>("select count(*) from report where subject_key = @key and report_id = 'twice' and ip_address is not null", ("key", subject)));
        Assert.Equal(1, (await log.ReadAsync("eu", subject, s_now, null, ReportRows.PageSize)).Items.Count(item => item.ReportId == "known" && item.Category == DataCategory.Usage));
    }

    [Fact]
    public async Task A_report_reads_back_item_for_item_as_appended_each_item_with_its_own_expiry()
    {
        await using var database = await MigratedAsync();
        await using var keys = await TestSealing.CreateKeyStoreAsync("report_batch");
        await using var log = Log(database, keys);
        var subject = $"eu/{Guid.NewGuid():N}";
        var items = Items("one", s_now, hosts: 7, "2001:db8::7");
        Assert.True((await log.AppendAsync("eu", subject, "one", items)).Stored);

        var page = await log.ReadAsync("eu", subject, s_now, null, ReportRows.PageSize);

        Assert.Equal(items.OrderBy(item => WireNames.Of(item.Category), StringComparer.Ordinal).Select(item => item with { Metrics = ImmutableDictionary<string, double>.Empty }), page.Items.Select(item => item with { Metrics = ImmutableDictionary<string, double>.Empty, Protection = null }));
        Assert.Equal(7, page.Items.Single(item => item.Category == DataCategory.Usage).Metrics["hosts"]);
        Assert.Equal(1.5, page.Items.Single(item => item.Category == DataCategory.Configuration).Metrics["ratio"]);
        Assert.Equal(2, (await log.ReadAsync("eu", subject, s_now.AddDays(31), null, ReportRows.PageSize)).Items.Length);
    }

    private static async Task<TestDatabase> MigratedAsync()
    {
        var database = await TestDatabase.CreateAsync("report_batch");
        await new SchemaMigrator(NullLogger<SchemaMigrator>.Instance).ApplyAsync(database.ConnectionString, CancellationToken.None);
        return database;
    }

    private static PostgresReportLog Log(TestDatabase database, TestKeyStore keys) =>
        new(new RegionDatabases(new Dictionary<string, string> { ["eu"] = database.ConnectionString }), keys.Addresses, NullLogger<PostgresReportLog>.Instance);

    private static HeldItem[] Items(string reportId, DateTimeOffset at, double hosts, string address) =>
    [
        Item(reportId, DataCategory.Usage, at, at.AddDays(90), null, ImmutableDictionary<string, double>.Empty.Add("hosts", hosts)),
        Item(reportId, DataCategory.Configuration, at, at.AddDays(90), "v1 \"quoted\" \\ ünïcode", ImmutableDictionary<string, double>.Empty.Add("ratio", 1.5)),
        Item(reportId, DataCategory.IpAddress, at, at.AddDays(30), address, ImmutableDictionary<string, double>.Empty),
    ];

    private static HeldItem Item(string reportId, DataCategory category, DateTimeOffset at, DateTimeOffset expires, string? value, ImmutableDictionary<string, double> metrics) =>
        new(ReportRows.ItemId(reportId, category), reportId, category, DataSource.Automatic, DataPurpose.UsageStatistics, at, expires, Personal: true, value, metrics);
}
