using System.Data;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using PrimeDirective.Grains.Storage;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Storage;

/// <summary>
/// Runs the catalogue's query texts the way the Orleans 10.4.2 ADO.NET providers do (same parameter names and
/// DbTypes, every result set collected) and checks each against shared/ORLEANS-ADONET-CONTRACT.md.
/// One migrated database per class; every test uses fresh deployment, service and grain ids.
/// </summary>
public sealed partial class AdoNetQueryContractTests(MigratedDatabaseFixture fixture) : IClassFixture<MigratedDatabaseFixture>
{
    private const int Active = 3;
    private const int ShuttingDown = 4;
    private const int Dead = 6;

    private static readonly DateTime _startTime = new(2026, 3, 1, 8, 30, 15, 123, 456, DateTimeKind.Utc);
    private static readonly DateTime _aliveTime = new(2026, 3, 1, 9, 45, 0, 987, 654, DateTimeKind.Utc);

    // ---------------------------------------------------------------------------------------------------------
    // Catalogue
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Catalogue_holds_every_query_key_exactly_once()
    {
        var keys = await fixture.Database.ScalarAsync<string[]>("select array_agg(querykey order by querykey) from orleansquery");

        Assert.NotNull(keys);
        Assert.Equal(keys.Length, keys.Distinct(StringComparer.Ordinal).Count());
        Assert.Empty(OrleansCatalogue.RequiredKeys.Except(keys, StringComparer.Ordinal));
        Assert.Contains("CleanupDefunctSiloEntryKey", keys);
    }

    [Fact]
    public void Every_query_references_exactly_the_parameters_orleans_binds()
    {
        foreach (var (key, parameters) in OrleansCatalogue.BoundParameters)
        {
            var placeholders = Placeholder().Matches(fixture.Queries[key]).Select(match => match.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

            // Exact, case-sensitive equality: a misspelt placeholder would reach PostgreSQL as abs(column).
            Assert.True(
                placeholders.SetEquals(parameters),
                $"{key}: binds [{string.Join(", ", parameters.Order())}] but references [{string.Join(", ", placeholders.Order())}]");
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Clustering
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task InsertMembershipVersion_returns_true_the_first_time_and_false_after()
    {
        var deployment = NewDeployment();

        Assert.True(await InsertVersionAsync(deployment));
        Assert.False(await InsertVersionAsync(deployment));

        Assert.Equal(1L, await CountAsync("membership_version", deployment));
        Assert.Equal(0, await TableVersionAsync(deployment));
    }

    [Fact]
    public async Task InsertMembershipVersion_racing_silos_create_one_row_and_only_one_sees_true()
    {
        var deployment = NewDeployment();

        var (first, second) = await RaceAsync(
            "InsertMembershipVersionKey",
            [Arg.Text("DeploymentId", deployment)],
            [Arg.Text("DeploymentId", deployment)]);

        Assert.True(SingleBoolean(first));
        Assert.False(SingleBoolean(second));
        Assert.Equal(1L, await CountAsync("membership_version", deployment));
    }

    [Fact]
    public async Task MembershipReadAll_without_members_returns_one_placeholder_row_carrying_the_version()
    {
        var deployment = NewDeployment();
        await InsertVersionAsync(deployment);

        var rows = await RunAsync("MembershipReadAllKey", Arg.Text("DeploymentId", deployment));

        var row = Assert.Single(rows);
        Assert.Equal(0, row.Int("Version"));
        Assert.Null(row["StartTime"]);
        Assert.Null(row["Address"]);
    }

    [Fact]
    public async Task MembershipReadAll_without_a_version_row_returns_no_rows()
    {
        var rows = await RunAsync("MembershipReadAllKey", Arg.Text("DeploymentId", NewDeployment()));

        Assert.Empty(rows);
    }

    [Fact]
    public async Task InsertMembership_with_the_current_version_adds_the_member_and_bumps_the_version()
    {
        var deployment = NewDeployment();
        await InsertVersionAsync(deployment);
        var silo = NewSilo();

        Assert.True(await InsertMemberAsync(deployment, silo, version: 0));

        var row = Assert.Single(await RunAsync("MembershipReadAllKey", Arg.Text("DeploymentId", deployment)));
        Assert.Equal(1, row.Int("Version"));
        Assert.Equal(silo.Address, row["Address"]);
        Assert.Equal(silo.Port, row.Int("Port"));
        Assert.Equal(silo.Generation, row.Int("Generation"));
        Assert.Equal($"silo-{silo.Port}", row["SiloName"]);
        Assert.Equal("host-a", row["HostName"]);
        Assert.Equal(Active, row.Int("Status"));
        Assert.Equal(30000, row.Int("ProxyPort"));
        Assert.Null(row["SuspectTimes"]);
        Assert.Equal(_startTime, row["StartTime"]);
        Assert.Equal(_aliveTime, row["IAmAliveTime"]);
        Assert.Equal(DateTimeKind.Utc, ((DateTime)row["StartTime"]!).Kind);
    }

    [Fact]
    public async Task InsertMembership_with_a_stale_version_returns_false_and_inserts_nothing()
    {
        var deployment = NewDeployment();
        await InsertVersionAsync(deployment);
        Assert.True(await InsertMemberAsync(deployment, NewSilo(), version: 0));

        Assert.False(await InsertMemberAsync(deployment, NewSilo(), version: 0));

        Assert.Equal(1L, await CountAsync("membership_member", deployment));
        Assert.Equal(1, await TableVersionAsync(deployment));
    }

    [Fact]
    public async Task InsertMembership_of_an_existing_member_returns_false_and_keeps_the_version()
    {
        var deployment = NewDeployment();
        await InsertVersionAsync(deployment);
        var silo = NewSilo();
        Assert.True(await InsertMemberAsync(deployment, silo, version: 0));

        Assert.False(await InsertMemberAsync(deployment, silo, version: 1, status: ShuttingDown));

        Assert.Equal(1, await TableVersionAsync(deployment));
        var row = Assert.Single(await RunAsync("MembershipReadAllKey", Arg.Text("DeploymentId", deployment)));
        Assert.Equal(Active, row.Int("Status"));
    }

    [Fact]
    public async Task InsertMembership_without_a_version_row_returns_false()
    {
        var deployment = NewDeployment();

        Assert.False(await InsertMemberAsync(deployment, NewSilo(), version: 0));

        Assert.Equal(0L, await CountAsync("membership_member", deployment));
    }

    [Fact]
    public async Task InsertMembership_racing_writers_holding_the_same_version_let_exactly_one_win()
    {
        var deployment = NewDeployment();
        await InsertVersionAsync(deployment);
        var (winner, loser) = (NewSilo(), NewSilo());

        var (first, second) = await RaceAsync(
            "InsertMembershipKey",
            InsertMemberArgs(deployment, winner, version: 0),
            InsertMemberArgs(deployment, loser, version: 0));

        Assert.True(SingleBoolean(first));
        Assert.False(SingleBoolean(second));
        Assert.Equal(1, await TableVersionAsync(deployment));
        var row = Assert.Single(await RunAsync("MembershipReadAllKey", Arg.Text("DeploymentId", deployment)));
        Assert.Equal(winner.Port, row.Int("Port"));
    }

    [Fact]
    public async Task UpdateMembership_on_a_missing_member_returns_false_and_does_not_bump_the_version()
    {
        var deployment = NewDeployment();
        await InsertVersionAsync(deployment);

        Assert.False(await UpdateMemberAsync(deployment, NewSilo(), Dead, "x", version: 0));

        Assert.Equal(0, await TableVersionAsync(deployment));
        Assert.Equal(0L, await CountAsync("membership_member", deployment));
    }

    [Fact]
    public async Task UpdateMembership_with_the_current_version_changes_only_status_votes_and_heartbeat()
    {
        var deployment = NewDeployment();
        await InsertVersionAsync(deployment);
        var silo = NewSilo();
        await InsertMemberAsync(deployment, silo, version: 0);
        var votes = $"10.0.0.9:11111@1,2026-03-01 09:50:00.000 GMT|{silo.Address}:{silo.Port}@7,2026-03-01 09:51:00.000 GMT";
        var heartbeat = _aliveTime.AddMinutes(5);

        Assert.True(await UpdateMemberAsync(deployment, silo, ShuttingDown, votes, version: 1, heartbeat));

        var row = Assert.Single(await RunAsync("MembershipReadAllKey", Arg.Text("DeploymentId", deployment)));
        Assert.Equal(2, row.Int("Version"));
        Assert.Equal(ShuttingDown, row.Int("Status"));
        Assert.Equal(votes, row["SuspectTimes"]);
        Assert.Equal(heartbeat, row["IAmAliveTime"]);
        Assert.Equal(_startTime, row["StartTime"]);
        Assert.Equal(30000, row.Int("ProxyPort"));
        Assert.Equal("host-a", row["HostName"]);
    }

    [Fact]
    public async Task UpdateMembership_with_a_stale_version_returns_false_and_changes_nothing()
    {
        var deployment = NewDeployment();
        await InsertVersionAsync(deployment);
        var silo = NewSilo();
        await InsertMemberAsync(deployment, silo, version: 0);

        Assert.False(await UpdateMemberAsync(deployment, silo, Dead, null, version: 0));

        var row = Assert.Single(await RunAsync("MembershipReadAllKey", Arg.Text("DeploymentId", deployment)));
        Assert.Equal(1, row.Int("Version"));
        Assert.Equal(Active, row.Int("Status"));
    }

    [Fact]
    public async Task UpdateMembership_racing_writers_holding_the_same_version_let_exactly_one_win()
    {
        var deployment = NewDeployment();
        await InsertVersionAsync(deployment);
        var silo = NewSilo();
        await InsertMemberAsync(deployment, silo, version: 0);

        var (first, second) = await RaceAsync(
            "UpdateMembershipKey",
            UpdateMemberArgs(deployment, silo, ShuttingDown, null, 1, _aliveTime),
            UpdateMemberArgs(deployment, silo, Dead, null, 1, _aliveTime));

        Assert.True(SingleBoolean(first));
        Assert.False(SingleBoolean(second));
        var row = Assert.Single(await RunAsync("MembershipReadAllKey", Arg.Text("DeploymentId", deployment)));
        Assert.Equal(2, row.Int("Version"));
        Assert.Equal(ShuttingDown, row.Int("Status"));
    }

    [Fact]
    public async Task UpdateIAmAlivetime_moves_the_heartbeat_of_one_member_and_never_the_version()
    {
        var deployment = NewDeployment();
        await InsertVersionAsync(deployment);
        var (silo, other) = (NewSilo(), NewSilo());
        await InsertMemberAsync(deployment, silo, version: 0);
        await InsertMemberAsync(deployment, other, version: 1);
        var heartbeat = _aliveTime.AddSeconds(30);

        await RunAsync(
            "UpdateIAmAlivetimeKey",
            [.. SiloArgs(deployment, silo), Arg.Time("IAmAliveTime", heartbeat)]);
        await RunAsync(
            "UpdateIAmAlivetimeKey",
            [.. SiloArgs(deployment, NewSilo()), Arg.Time("IAmAliveTime", heartbeat)]);

        Assert.Equal(2, await TableVersionAsync(deployment));
        Assert.Equal(heartbeat, (await ReadMemberAsync(deployment, silo))["IAmAliveTime"]);
        Assert.Equal(_aliveTime, (await ReadMemberAsync(deployment, other))["IAmAliveTime"]);
        Assert.Equal(2L, await CountAsync("membership_member", deployment));
    }

    [Fact]
    public async Task MembershipReadRow_returns_only_the_requested_member_or_a_placeholder()
    {
        var deployment = NewDeployment();
        await InsertVersionAsync(deployment);
        var (silo, other) = (NewSilo(), NewSilo());
        await InsertMemberAsync(deployment, silo, version: 0);
        await InsertMemberAsync(deployment, other, version: 1);

        var found = await ReadMemberAsync(deployment, silo);
        var missing = Assert.Single(await RunAsync("MembershipReadRowKey", SiloArgs(deployment, NewSilo())));

        Assert.Equal(silo.Port, found.Int("Port"));
        Assert.Equal(2, found.Int("Version"));
        Assert.Equal(2, missing.Int("Version"));
        Assert.Null(missing["StartTime"]);
    }

    [Fact]
    public async Task GatewaysQuery_returns_the_active_members_that_expose_a_gateway()
    {
        var deployment = NewDeployment();
        await InsertVersionAsync(deployment);
        var gateway = NewSilo();
        await InsertMemberAsync(deployment, gateway, version: 0);
        await InsertMemberAsync(deployment, NewSilo(), version: 1, proxyPort: 0);
        await InsertMemberAsync(deployment, NewSilo(), version: 2, status: Dead);
        var elsewhere = NewDeployment();
        await InsertVersionAsync(elsewhere);
        await InsertMemberAsync(elsewhere, NewSilo(), version: 0);

        var rows = await RunAsync("GatewaysQueryKey", Arg.Text("DeploymentId", deployment), Arg.Int("Status", Active));

        var row = Assert.Single(rows);
        Assert.Equal(gateway.Address, row["Address"]);
        Assert.Equal(30000, row.Int("ProxyPort"));
        Assert.Equal(gateway.Generation, row.Int("Generation"));
    }

    [Fact]
    public async Task CleanupDefunctSiloEntries_deletes_only_dead_members_older_than_the_cutoff()
    {
        var deployment = NewDeployment();
        await InsertVersionAsync(deployment);
        var cutoff = _aliveTime.AddDays(1);
        var (oldDead, oldDeadOldVotes, oldDeadRecentVote, oldAlive, recentDead) = (NewSilo(), NewSilo(), NewSilo(), NewSilo(), NewSilo());
        var version = 0;
        foreach (var silo in new[] { oldDead, oldDeadOldVotes, oldDeadRecentVote, oldAlive, recentDead })
        {
            await InsertMemberAsync(deployment, silo, version++);
        }

        await UpdateMemberAsync(deployment, oldDead, Dead, null, version++);
        await UpdateMemberAsync(deployment, oldDeadOldVotes, Dead, "10.0.0.1:1@1,2026-03-01 10:00:00.000 GMT|10.0.0.2:1@1,2026-03-01 11:00:00.000 GMT", version++);
        await UpdateMemberAsync(deployment, oldDeadRecentVote, Dead, $"10.0.0.1:1@1,2026-03-01 10:00:00.000 GMT|10.0.0.2:1@1,{cutoff:yyyy-MM-dd HH:mm:ss.fff} GMT", version++);
        await UpdateMemberAsync(deployment, recentDead, Dead, null, version++, cutoff.AddMinutes(1));
        var elsewhere = NewDeployment();
        await InsertVersionAsync(elsewhere);
        await InsertMemberAsync(elsewhere, oldDead, version: 0);
        await UpdateMemberAsync(elsewhere, oldDead, Dead, null, version: 1);

        await RunAsync("CleanupDefunctSiloEntriesKey", Arg.Text("DeploymentId", deployment), Arg.Time("IAmAliveTime", cutoff));

        var remaining = (await RunAsync("MembershipReadAllKey", Arg.Text("DeploymentId", deployment))).Select(row => row.Int("Port")).Order();
        Assert.Equal(new[] { oldDeadRecentVote.Port, oldAlive.Port, recentDead.Port }.Order(), remaining);
        Assert.Equal(version, await TableVersionAsync(deployment));
        Assert.Equal(1L, await CountAsync("membership_member", elsewhere));
    }

    [Fact]
    public async Task CleanupDefunctSiloEntry_deletes_a_dead_member_only_while_it_is_unchanged()
    {
        var deployment = NewDeployment();
        await InsertVersionAsync(deployment);
        var (unchanged, changed, alive) = (NewSilo(), NewSilo(), NewSilo());
        await InsertMemberAsync(deployment, unchanged, version: 0);
        await InsertMemberAsync(deployment, changed, version: 1);
        await InsertMemberAsync(deployment, alive, version: 2);
        await UpdateMemberAsync(deployment, unchanged, Dead, "", version: 3);
        await UpdateMemberAsync(deployment, changed, Dead, "10.0.0.1:1@1,2026-03-01 10:00:00.000 GMT", version: 4);
        var captured = new List<(Silo Silo, Row Row)>();
        foreach (var silo in new[] { unchanged, changed, alive })
        {
            captured.Add((silo, await ReadMemberAsync(deployment, silo)));
        }

        await UpdateMemberAsync(deployment, changed, Dead, "10.0.0.1:1@1,2026-03-01 10:00:00.000 GMT", version: 5, _aliveTime.AddSeconds(1));

        foreach (var (silo, row) in captured)
        {
            // Orleans hands back what it read; a blank vote list is re-serialised as NULL.
            await RunAsync(
                "CleanupDefunctSiloEntryKey",
                [
                    .. SiloArgs(deployment, silo),
                    Arg.Text("SuspectTimes", string.IsNullOrEmpty((string?)row["SuspectTimes"]) ? null : (string?)row["SuspectTimes"]),
                    Arg.Time("StartTime", (DateTime)row["StartTime"]!),
                    Arg.Time("IAmAliveTime", (DateTime)row["IAmAliveTime"]!),
                ]);
        }

        var remaining = (await RunAsync("MembershipReadAllKey", Arg.Text("DeploymentId", deployment))).Select(row => row.Int("Port")).Order();
        Assert.Equal(new[] { changed.Port, alive.Port }.Order(), remaining);
        Assert.Equal(6, await TableVersionAsync(deployment));
    }

    [Fact]
    public async Task DeleteMembershipTableEntries_removes_the_deployment_and_nothing_else()
    {
        var (deployment, elsewhere) = (NewDeployment(), NewDeployment());
        foreach (var id in new[] { deployment, elsewhere })
        {
            await InsertVersionAsync(id);
            await InsertMemberAsync(id, NewSilo(), version: 0);
        }

        await RunAsync("DeleteMembershipTableEntriesKey", Arg.Text("DeploymentId", deployment));

        Assert.Equal(0L, await CountAsync("membership_version", deployment));
        Assert.Equal(0L, await CountAsync("membership_member", deployment));
        Assert.Equal(1L, await CountAsync("membership_version", elsewhere));
        Assert.Equal(1L, await CountAsync("membership_member", elsewhere));
        Assert.True(await InsertVersionAsync(deployment));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reminders
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task UpsertReminderRow_inserts_then_overwrites_and_changes_the_version_each_time()
    {
        var service = NewService();
        var grain = NewGrainId();

        var first = await UpsertReminderAsync(service, grain, "expiry", 17, Arg.Int("Period", 60_000));
        var second = await UpsertReminderAsync(service, grain, "expiry", 18, Arg.Long("Period", 10L * int.MaxValue), _startTime.AddHours(1));

        Assert.NotEqual(first, second);
        var row = Assert.Single(await RunAsync(
            "ReadReminderRowKey",
            Arg.Text("ServiceId", service), Arg.Ansi("GrainId", grain), Arg.Text("ReminderName", "expiry")));
        Assert.Equal(grain, row["GrainId"]);
        Assert.Equal("expiry", row["ReminderName"]);
        Assert.Equal(_startTime.AddHours(1), row["StartTime"]);
        Assert.Equal(10L * int.MaxValue, row["Period"]);
        Assert.Equal(second, row.Int("Version"));
        Assert.Equal(18, await fixture.Database.ScalarAsync<int>(
            "select grain_hash from reminder where service_id = @s and grain_id = @g", ("s", service), ("g", grain)));
    }

    [Fact]
    public async Task UpsertReminderRow_after_a_delete_never_reuses_the_old_version()
    {
        var service = NewService();
        var grain = NewGrainId();
        var old = await UpsertReminderAsync(service, grain, "expiry", 1, Arg.Int("Period", 1000));
        Assert.True(await DeleteReminderAsync(service, grain, "expiry", old));

        var recreated = await UpsertReminderAsync(service, grain, "expiry", 1, Arg.Int("Period", 1000));

        Assert.NotEqual(old, recreated);
        Assert.False(await DeleteReminderAsync(service, grain, "expiry", old));
    }

    [Fact]
    public async Task ReadReminderRows_returns_every_reminder_of_the_grain_and_no_other()
    {
        var service = NewService();
        var (grain, other) = (NewGrainId(), NewGrainId());
        await UpsertReminderAsync(service, grain, "a", 5, Arg.Int("Period", 1000));
        await UpsertReminderAsync(service, grain, "b", 5, Arg.Int("Period", 1000));
        await UpsertReminderAsync(service, other, "a", 5, Arg.Int("Period", 1000));
        await UpsertReminderAsync(NewService(), grain, "c", 5, Arg.Int("Period", 1000));

        var rows = await RunAsync("ReadReminderRowsKey", Arg.Text("ServiceId", service), Arg.Ansi("GrainId", grain));
        var missing = await RunAsync(
            "ReadReminderRowKey",
            Arg.Text("ServiceId", service), Arg.Ansi("GrainId", grain), Arg.Text("ReminderName", "c"));

        Assert.Equal("a,b", string.Join(',', rows.Select(row => (string)row["ReminderName"]!).Order()));
        Assert.All(rows, row => Assert.Equal(grain, row["GrainId"]));
        Assert.Empty(missing);
    }

    [Theory]
    [InlineData(0u, 1000u)]
    [InlineData(1000u, 0u)]
    [InlineData(5u, 5u)]
    [InlineData(0u, 0u)]
    [InlineData(0x7FFFFFFFu, 0x80000000u)]
    [InlineData(0x80000000u, 0x7FFFFFFFu)]
    [InlineData(uint.MaxValue, 0u)]
    [InlineData(0u, uint.MaxValue)]
    [InlineData(1000u, 0xFFFFFC18u)]
    [InlineData(0xFFFFFC18u, 1000u)]
    public async Task ReadRangeRows_match_the_ring_range_begin_exclusive_end_inclusive(uint begin, uint end)
    {
        var service = NewService();
        int[] hashes = [int.MinValue, int.MinValue + 1, -1000, -1, 0, 1, 5, 1000, int.MaxValue - 1, int.MaxValue];
        foreach (var hash in hashes)
        {
            await UpsertReminderAsync(service, $"test/{hash}", "r", hash, Arg.Int("Period", 1000));
        }

        // The provider's choice: a signed comparison of the bounds picks the query.
        var key = (int)begin < (int)end ? "ReadRangeRows1Key" : "ReadRangeRows2Key";
        var rows = await RunAsync(
            key,
            Arg.Text("ServiceId", service), Arg.Int("BeginHash", (int)begin), Arg.Int("EndHash", (int)end));

        var expected = hashes.Where(hash => InRing(begin, end, (uint)hash)).Select(hash => $"test/{hash}").Order();
        Assert.Equal(expected, rows.Select(row => (string)row["GrainId"]!).Order());
    }

    [Fact]
    public async Task ReadRangeRows2_with_equal_bounds_returns_the_whole_ring_of_the_service_only()
    {
        var service = NewService();
        await UpsertReminderAsync(service, NewGrainId(), "r", int.MinValue, Arg.Int("Period", 1000));
        await UpsertReminderAsync(service, NewGrainId(), "r", 42, Arg.Int("Period", 1000));
        await UpsertReminderAsync(service, NewGrainId(), "r", int.MaxValue, Arg.Int("Period", 1000));
        await UpsertReminderAsync(NewService(), NewGrainId(), "r", 42, Arg.Int("Period", 1000));

        var rows = await RunAsync(
            "ReadRangeRows2Key",
            Arg.Text("ServiceId", service), Arg.Int("BeginHash", 42), Arg.Int("EndHash", 42));

        Assert.Equal(3, rows.Count);
    }

    [Fact]
    public async Task DeleteReminderRow_with_a_wrong_version_returns_false_and_keeps_the_row()
    {
        var service = NewService();
        var grain = NewGrainId();
        var version = await UpsertReminderAsync(service, grain, "expiry", 3, Arg.Int("Period", 1000));

        Assert.False(await DeleteReminderAsync(service, grain, "expiry", version + 1));
        Assert.Equal(1L, await CountAsync("reminder", service, "service_id"));

        Assert.True(await DeleteReminderAsync(service, grain, "expiry", version));
        Assert.Equal(0L, await CountAsync("reminder", service, "service_id"));
        Assert.False(await DeleteReminderAsync(service, grain, "expiry", version));
    }

    [Fact]
    public async Task DeleteReminderRows_removes_every_reminder_of_the_service_and_no_other()
    {
        var (service, other) = (NewService(), NewService());
        await UpsertReminderAsync(service, NewGrainId(), "a", 1, Arg.Int("Period", 1000));
        await UpsertReminderAsync(service, NewGrainId(), "b", 2, Arg.Int("Period", 1000));
        await UpsertReminderAsync(other, NewGrainId(), "a", 1, Arg.Int("Period", 1000));

        await RunAsync("DeleteReminderRowsKey", Arg.Text("ServiceId", service));

        Assert.Equal(0L, await CountAsync("reminder", service, "service_id"));
        Assert.Equal(1L, await CountAsync("reminder", other, "service_id"));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Persistence
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task WriteToStorage_first_write_inserts_version_1_and_ReadFromStorage_returns_it()
    {
        var grain = GrainKey.New();
        Assert.Empty(await RunAsync("ReadFromStorageKey", grain.Identity()));

        var written = await WriteStateAsync(grain, null, "first");

        Assert.Equal(1, written);
        var row = Assert.Single(await RunAsync("ReadFromStorageKey", grain.Identity()));
        Assert.Equal("first", Encoding.UTF8.GetString((byte[])row["PayloadBinary"]!));
        Assert.Equal(1, row.Int("Version"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("tenant-7")]
    public async Task WriteToStorage_racing_first_writes_let_exactly_one_insert(string? extension)
    {
        var grain = GrainKey.New() with { Extension = extension };

        var (first, second) = await RaceAsync(
            "WriteToStorageKey",
            grain.Write(null, Encoding.UTF8.GetBytes("winner")),
            grain.Write(null, Encoding.UTF8.GetBytes("loser")));

        Assert.Equal(1, Assert.Single(first).Int("NewGrainStateVersion"));
        Assert.Empty(second);
        var row = Assert.Single(await RunAsync("ReadFromStorageKey", grain.Identity()));
        Assert.Equal("winner", Encoding.UTF8.GetString((byte[])row["PayloadBinary"]!));
        Assert.Equal(1L, await CountStateRowsAsync(grain));
    }

    [Fact]
    public async Task WriteToStorage_first_write_over_an_existing_row_returns_no_row_and_changes_nothing()
    {
        var grain = GrainKey.New();
        await WriteStateAsync(grain, null, "first");

        Assert.Null(await WriteStateAsync(grain, null, "second"));

        var row = Assert.Single(await RunAsync("ReadFromStorageKey", grain.Identity()));
        Assert.Equal("first", Encoding.UTF8.GetString((byte[])row["PayloadBinary"]!));
        Assert.Equal(1, row.Int("Version"));
    }

    [Fact]
    public async Task WriteToStorage_with_the_current_version_updates_and_returns_the_next_version()
    {
        var grain = GrainKey.New();
        await WriteStateAsync(grain, null, "first");

        Assert.Equal(2, await WriteStateAsync(grain, 1, "second"));
        Assert.Equal(3, await WriteStateAsync(grain, 2, "third"));

        var row = Assert.Single(await RunAsync("ReadFromStorageKey", grain.Identity()));
        Assert.Equal("third", Encoding.UTF8.GetString((byte[])row["PayloadBinary"]!));
        Assert.Equal(3, row.Int("Version"));
    }

    [Fact]
    public async Task WriteToStorage_with_a_stale_version_returns_no_row_and_keeps_the_payload()
    {
        var grain = GrainKey.New();
        await WriteStateAsync(grain, null, "first");
        await WriteStateAsync(grain, 1, "second");

        Assert.Null(await WriteStateAsync(grain, 1, "stale"));

        var row = Assert.Single(await RunAsync("ReadFromStorageKey", grain.Identity()));
        Assert.Equal("second", Encoding.UTF8.GetString((byte[])row["PayloadBinary"]!));
        Assert.Equal(2, row.Int("Version"));
    }

    [Fact]
    public async Task WriteToStorage_racing_updates_holding_the_same_version_let_exactly_one_win()
    {
        var grain = GrainKey.New();
        await WriteStateAsync(grain, null, "first");

        var (first, second) = await RaceAsync(
            "WriteToStorageKey",
            grain.Write(1, Encoding.UTF8.GetBytes("winner")),
            grain.Write(1, Encoding.UTF8.GetBytes("loser")));

        Assert.Equal(2, Assert.Single(first).Int("NewGrainStateVersion"));
        Assert.Empty(second);
        var row = Assert.Single(await RunAsync("ReadFromStorageKey", grain.Identity()));
        Assert.Equal("winner", Encoding.UTF8.GetString((byte[])row["PayloadBinary"]!));
    }

    [Fact]
    public async Task WriteToStorage_keeps_keys_apart_that_share_hashes_but_differ_in_the_natural_key()
    {
        var grain = GrainKey.New();
        GrainKey[] neighbours =
        [
            grain with { Extension = "x" },
            grain with { Extension = "" },
            grain with { N1 = grain.N1 + 1 },
            grain with { N0 = grain.N0 + 1 },
            grain with { StateName = "other-state" },
            grain with { ServiceId = NewService() },
        ];
        await WriteStateAsync(grain, null, "mine");

        foreach (var neighbour in neighbours)
        {
            Assert.Empty(await RunAsync("ReadFromStorageKey", neighbour.Identity()));
            Assert.Equal(1, await WriteStateAsync(neighbour, null, "theirs"));
        }

        var row = Assert.Single(await RunAsync("ReadFromStorageKey", grain.Identity()));
        Assert.Equal("mine", Encoding.UTF8.GetString((byte[])row["PayloadBinary"]!));
        Assert.Equal(1, row.Int("Version"));
    }

    [Fact]
    public async Task ClearStorage_keeps_the_row_without_payload_and_bumps_the_version()
    {
        var grain = GrainKey.New();
        await WriteStateAsync(grain, null, "first");

        var cleared = await RunAsync("ClearStorageKey", [.. grain.Identity(), Arg.Int("GrainStateVersion", 1)]);

        Assert.Equal("2", Assert.Single(cleared).Values[0]?.ToString());
        var row = Assert.Single(await RunAsync("ReadFromStorageKey", grain.Identity()));
        Assert.Null(row["PayloadBinary"]);
        Assert.Equal(2, row.Int("Version"));
        Assert.Null(await WriteStateAsync(grain, null, "insert path"));
        Assert.Equal(3, await WriteStateAsync(grain, 2, "after clear"));
    }

    [Fact]
    public async Task ClearStorage_with_a_stale_version_returns_no_row_and_keeps_the_payload()
    {
        var grain = GrainKey.New();
        await WriteStateAsync(grain, null, "first");
        await WriteStateAsync(grain, 1, "second");

        Assert.Empty(await RunAsync("ClearStorageKey", [.. grain.Identity(), Arg.Int("GrainStateVersion", 1)]));
        Assert.Empty(await RunAsync("ClearStorageKey", [.. grain.Identity(), Arg.Int("GrainStateVersion", null)]));

        var row = Assert.Single(await RunAsync("ReadFromStorageKey", grain.Identity()));
        Assert.Equal("second", Encoding.UTF8.GetString((byte[])row["PayloadBinary"]!));
        Assert.Equal(2, row.Int("Version"));
    }

    [Fact]
    public async Task DeleteStorage_removes_the_row_and_returns_a_version_other_than_the_callers()
    {
        var grain = GrainKey.New();
        await WriteStateAsync(grain, null, "first");
        await WriteStateAsync(grain, 1, "second");

        var deleted = await RunAsync("DeleteStorageKey", [.. grain.Identity(), Arg.Int("GrainStateVersion", 2)]);

        var answer = Assert.Single(deleted).Values[0]?.ToString();
        Assert.False(string.IsNullOrEmpty(answer));
        Assert.NotEqual("2", answer);
        Assert.Empty(await RunAsync("ReadFromStorageKey", grain.Identity()));
        Assert.Equal(0L, await CountStateRowsAsync(grain));
        Assert.Equal(4, await WriteStateAsync(grain, null, "reborn"));
    }

    [Fact]
    public async Task A_row_written_again_after_its_delete_never_takes_a_version_a_stale_activation_holds()
    {
        var grain = GrainKey.New();
        await WriteStateAsync(grain, null, "erased person");
        await WriteStateAsync(grain, 1, "stale activation holds 2");
        await WriteStateAsync(grain, 2, "deleter holds 3");
        Assert.Single(await RunAsync("DeleteStorageKey", [.. grain.Identity(), Arg.Int("GrainStateVersion", 3)]));

        // The same subject starts again (a new report) and is written a few times.
        var version = (await WriteStateAsync(grain, null, "new life"))!.Value;
        Assert.True(version > 4, $"a re-created row must start above every earlier version (got {version})");
        version = (await WriteStateAsync(grain, version, "new life, updated"))!.Value;

        // No earlier etag, stale or the deleter's, matches the new row: the old state cannot be written back.
        foreach (var stale in new[] { 1, 2, 3, 4 })
        {
            Assert.Null(await WriteStateAsync(grain, stale, "resurrected personal data"));
        }

        var row = Assert.Single(await RunAsync("ReadFromStorageKey", grain.Identity()));
        Assert.Equal("new life, updated", Encoding.UTF8.GetString((byte[])row["PayloadBinary"]!));
        Assert.Equal(version, row.Int("Version"));
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("select count(*) from grain_state_tombstone where deleted_at < now() - interval '1 day'"));
    }

    [Fact]
    public async Task DeleteStorage_with_a_stale_version_returns_no_row_and_keeps_the_row()
    {
        var grain = GrainKey.New();
        await WriteStateAsync(grain, null, "first");
        await WriteStateAsync(grain, 1, "second");

        Assert.Empty(await RunAsync("DeleteStorageKey", [.. grain.Identity(), Arg.Int("GrainStateVersion", 1)]));

        Assert.Equal(1L, await CountStateRowsAsync(grain));
    }

    [Fact]
    public async Task Stored_payloads_are_found_by_CountRowsContaining_even_when_not_utf8()
    {
        var needle = $"needle-{Guid.NewGuid():N}";
        var text = GrainKey.New();
        var binary = GrainKey.New();
        await WriteStateAsync(text, null, $"{{\"email\":\"{needle.ToUpperInvariant()}\"}}");
        await RunAsync("WriteToStorageKey", binary.Write(null, [0xFF, 0xFE, 0x00, .. Encoding.UTF8.GetBytes(needle), 0xC3]));

        Assert.Equal(2L, await fixture.Database.CountRowsContainingAsync(needle));
        Assert.Equal(0L, await fixture.Database.CountRowsContainingAsync($"absent-{Guid.NewGuid():N}"));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers: bind and read the way RelationalStorage does.
    // ---------------------------------------------------------------------------------------------------------

    private static string NewDeployment() => $"deployment-{Guid.NewGuid():N}";

    private static string NewService() => $"service-{Guid.NewGuid():N}";

    private static string NewGrainId() => $"test/{Guid.NewGuid():N}";

    private static Silo NewSilo() => new("10.1.2.3", Random.Shared.Next(1024, 65000), Random.Shared.Next(1, int.MaxValue));

    private static bool InRing(uint begin, uint end, uint hash) =>
        begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;

    private static bool SingleBoolean(IReadOnlyList<Row> rows)
    {
        Assert.NotEmpty(rows);
        Assert.Single(rows[0].Values);
        return Convert.ToBoolean(rows[0].Values[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static Arg[] SiloArgs(string deployment, Silo silo) =>
    [
        Arg.Text("DeploymentId", deployment),
        Arg.Ansi("Address", silo.Address),
        Arg.Int("Port", silo.Port),
        Arg.Int("Generation", silo.Generation),
    ];

    private static Arg[] InsertMemberArgs(string deployment, Silo silo, int version, int status = Active, int proxyPort = 30000) =>
    [
        .. SiloArgs(deployment, silo),
        Arg.Text("SiloName", $"silo-{silo.Port}"),
        Arg.Text("HostName", "host-a"),
        Arg.Int("Status", status),
        Arg.Int("ProxyPort", proxyPort),
        Arg.Time("StartTime", _startTime),
        Arg.Time("IAmAliveTime", _aliveTime),
        Arg.Int("Version", version),
    ];

    private static Arg[] UpdateMemberArgs(string deployment, Silo silo, int status, string? suspectTimes, int version, DateTime aliveTime) =>
    [
        .. SiloArgs(deployment, silo),
        Arg.Int("Status", status),
        Arg.Text("SuspectTimes", suspectTimes),
        Arg.Time("IAmAliveTime", aliveTime),
        Arg.Int("Version", version),
    ];

    private async Task<bool> InsertVersionAsync(string deployment) =>
        SingleBoolean(await RunAsync("InsertMembershipVersionKey", Arg.Text("DeploymentId", deployment)));

    private async Task<bool> InsertMemberAsync(string deployment, Silo silo, int version, int status = Active, int proxyPort = 30000) =>
        SingleBoolean(await RunAsync("InsertMembershipKey", InsertMemberArgs(deployment, silo, version, status, proxyPort)));

    private async Task<bool> UpdateMemberAsync(string deployment, Silo silo, int status, string? suspectTimes, int version, DateTime? aliveTime = null) =>
        SingleBoolean(await RunAsync("UpdateMembershipKey", UpdateMemberArgs(deployment, silo, status, suspectTimes, version, aliveTime ?? _aliveTime)));

    private async Task<Row> ReadMemberAsync(string deployment, Silo silo)
    {
        var row = Assert.Single(await RunAsync("MembershipReadRowKey", SiloArgs(deployment, silo)));
        Assert.NotNull(row["StartTime"]);
        return row;
    }

    private async Task<int> TableVersionAsync(string deployment) =>
        await fixture.Database.ScalarAsync<int>("select version from membership_version where deployment_id = @d", ("d", deployment));

    private async Task<long> CountAsync(string table, string scope, string column = "deployment_id") =>
        await fixture.Database.ScalarAsync<long>($"select count(*) from {table} where {column} = @scope", ("scope", scope));

    private async Task<long> CountStateRowsAsync(GrainKey grain) =>
        await fixture.Database.ScalarAsync<long>(
            "select count(*) from grain_state where service_id = @s and grain_type_string = @t", ("s", grain.ServiceId), ("t", grain.StateName));

    private async Task<int> UpsertReminderAsync(string service, string grain, string name, int hash, Arg period, DateTime? start = null)
    {
        var row = (await RunAsync(
            "UpsertReminderRowKey",
            Arg.Text("ServiceId", service),
            Arg.Int("GrainHash", hash),
            Arg.Ansi("GrainId", grain),
            Arg.Text("ReminderName", name),
            Arg.Time("StartTime", start ?? _startTime),
            period))[0];
        return row.Int("Version");
    }

    private async Task<bool> DeleteReminderAsync(string service, string grain, string name, int version) =>
        SingleBoolean(await RunAsync(
            "DeleteReminderRowKey",
            Arg.Text("ServiceId", service), Arg.Ansi("GrainId", grain), Arg.Text("ReminderName", name), Arg.Int("Version", version)));

    private async Task<int?> WriteStateAsync(GrainKey grain, int? version, string payload)
    {
        var rows = await RunAsync("WriteToStorageKey", grain.Write(version, Encoding.UTF8.GetBytes(payload)));
        Assert.True(rows.Count <= 1, "WriteToStorageKey returned more than one row");
        return rows.Count == 0 || rows[0]["NewGrainStateVersion"] is null ? null : rows[0].Int("NewGrainStateVersion");
    }

    private Task<IReadOnlyList<Row>> RunAsync(string key, params Arg[] args) => RunOnAsync(key, args, null, null);

    private async Task<IReadOnlyList<Row>> RunOnAsync(string key, Arg[] args, NpgsqlConnection? connection, NpgsqlTransaction? transaction)
    {
        var owned = connection is null ? new NpgsqlConnection(fixture.Database.ConnectionString) : null;
        try
        {
            if (owned is not null)
            {
                await owned.OpenAsync();
            }

            await using var command = (connection ?? owned)!.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = fixture.Queries[key];
            foreach (var arg in args)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = arg.Name;
                parameter.Value = arg.Value ?? DBNull.Value;
                parameter.DbType = arg.Type;
                command.Parameters.Add(parameter);
            }

            var rows = new List<Row>();
            await using var reader = await command.ExecuteReaderAsync();
            do
            {
                while (await reader.ReadAsync())
                {
                    var names = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
                    var values = Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : reader.GetValue(i)).ToArray();
                    rows.Add(new Row(names, values));
                }
            }
            while (await reader.NextResultAsync());

            return rows;
        }
        finally
        {
            if (owned is not null)
            {
                await owned.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Forces two callers to overlap: the first runs inside an open transaction, the second is started and observed
    /// blocked on the first's locks, then the first commits and the second finishes.
    /// </summary>
    private async Task<(IReadOnlyList<Row> First, IReadOnlyList<Row> Second)> RaceAsync(string key, Arg[] first, Arg[] second)
    {
        var blockedName = $"pdt-race-{Guid.NewGuid():N}"[..40];
        await using var holder = new NpgsqlConnection(fixture.Database.ConnectionString);
        await holder.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        var firstRows = await RunOnAsync(key, first, holder, transaction);

        var connectionString = new NpgsqlConnectionStringBuilder(fixture.Database.ConnectionString) { ApplicationName = blockedName }.ConnectionString;
        await using var contender = new NpgsqlConnection(connectionString);
        await contender.OpenAsync();
        var secondTask = RunOnAsync(key, second, contender, null);

        // A contender that finishes without waiting has not seen the first's uncommitted write: the assertions catch it.
        await WaitUntilAsync(async () => secondTask.IsCompleted || await fixture.Database.ScalarAsync<long>(
            "select count(*) from pg_stat_activity where application_name = @name and wait_event_type = 'Lock'",
            ("name", blockedName)) == 1);

        await transaction.CommitAsync();
        return (firstRows, await secondTask);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), deadline.Token);
        }
    }

    [GeneratedRegex(@"@([A-Za-z0-9_]+)")]
    private static partial Regex Placeholder();

    private sealed record Silo(string Address, int Port, int Generation);

    /// <summary>A grain-state identity as the persistence provider decomposes it.</summary>
    private sealed record GrainKey(string ServiceId, string StateName, long N0, long N1, string? Extension, int IdHash)
    {
        // A random id hash per key, as real ids have: deleted rows' tombstones are keyed by the hashes.
        public static GrainKey New() =>
            new(NewService(), "profile", Random.Shared.NextInt64(), Random.Shared.NextInt64(), null, Random.Shared.Next());

        // A key and its "neighbours" (with ...) share these hashes: they are index aids, and the natural key must still tell rows apart.
        public Arg[] Identity() =>
        [
            Arg.Text("ServiceId", ServiceId),
            Arg.Text("GrainTypeString", StateName),
            Arg.Int("GrainTypeHash", 12345),
            Arg.Long("GrainIdN0", N0),
            Arg.Long("GrainIdN1", N1),
            Arg.Text("GrainIdExtensionString", Extension),
            Arg.Int("GrainIdHash", IdHash),
        ];

        public Arg[] Write(int? version, byte[] payload) =>
            [.. Identity(), Arg.Int("GrainStateVersion", version), Arg.Bytes("PayloadBinary", payload)];
    }
}

/// <summary>A parameter as Orleans binds it: bare name, explicit DbType, null sent as a typed NULL.</summary>
internal readonly record struct Arg(string Name, DbType Type, object? Value)
{
    public static Arg Text(string name, string? value) => new(name, DbType.String, value);

    public static Arg Ansi(string name, string value) => new(name, DbType.AnsiString, value);

    public static Arg Int(string name, int? value) => new(name, DbType.Int32, value);

    public static Arg Long(string name, long value) => new(name, DbType.Int64, value);

    public static Arg Time(string name, DateTime value) => new(name, DbType.DateTime, value);

    public static Arg Bytes(string name, byte[] value) => new(name, DbType.Binary, value);
}

/// <summary>One result row; columns are looked up by their exact returned names.</summary>
internal sealed record Row(IReadOnlyList<string> Names, IReadOnlyList<object?> Values)
{
    public object? this[string name]
    {
        get
        {
            var index = Names.ToList().IndexOf(name);
            Assert.True(index >= 0, $"Column '{name}' not returned; got [{string.Join(", ", Names)}]");
            return Values[index];
        }
    }

    public int Int(string name) => Convert.ToInt32(this[name], System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>What the Orleans 10.4.2 providers require of the catalogue (shared/ORLEANS-ADONET-CONTRACT.md).</summary>
internal static class OrleansCatalogue
{
    private static readonly string[] _storageIdentity =
        ["ServiceId", "GrainTypeString", "GrainTypeHash", "GrainIdN0", "GrainIdN1", "GrainIdExtensionString", "GrainIdHash"];

    public static IReadOnlyDictionary<string, string[]> BoundParameters { get; } = new Dictionary<string, string[]>
    {
        ["GatewaysQueryKey"] = ["DeploymentId", "Status"],
        ["MembershipReadRowKey"] = ["DeploymentId", "Address", "Port", "Generation"],
        ["MembershipReadAllKey"] = ["DeploymentId"],
        ["InsertMembershipVersionKey"] = ["DeploymentId"],
        ["UpdateIAmAlivetimeKey"] = ["DeploymentId", "Address", "Port", "Generation", "IAmAliveTime"],
        ["InsertMembershipKey"] =
            ["DeploymentId", "Address", "Port", "Generation", "SiloName", "HostName", "Status", "ProxyPort", "StartTime", "IAmAliveTime", "Version"],
        ["UpdateMembershipKey"] = ["DeploymentId", "Address", "Port", "Generation", "Status", "SuspectTimes", "IAmAliveTime", "Version"],
        ["DeleteMembershipTableEntriesKey"] = ["DeploymentId"],
        ["CleanupDefunctSiloEntriesKey"] = ["DeploymentId", "IAmAliveTime"],
        ["CleanupDefunctSiloEntryKey"] = ["DeploymentId", "Address", "Port", "Generation", "SuspectTimes", "StartTime", "IAmAliveTime"],
        ["ReadReminderRowsKey"] = ["ServiceId", "GrainId"],
        ["ReadRangeRows1Key"] = ["ServiceId", "BeginHash", "EndHash"],
        ["ReadRangeRows2Key"] = ["ServiceId", "BeginHash", "EndHash"],
        ["ReadReminderRowKey"] = ["ServiceId", "GrainId", "ReminderName"],
        ["UpsertReminderRowKey"] = ["ServiceId", "GrainHash", "GrainId", "ReminderName", "StartTime", "Period"],
        ["DeleteReminderRowKey"] = ["ServiceId", "GrainId", "ReminderName", "Version"],
        ["DeleteReminderRowsKey"] = ["ServiceId"],
        ["WriteToStorageKey"] = [.. _storageIdentity, "GrainStateVersion", "PayloadBinary"],
        ["ReadFromStorageKey"] = _storageIdentity,
        ["ClearStorageKey"] = [.. _storageIdentity, "GrainStateVersion"],
        ["DeleteStorageKey"] = [.. _storageIdentity, "GrainStateVersion"],
    };

    /// <summary>Every key a provider fails to start without (the optional singular cleanup key excluded).</summary>
    public static IReadOnlyList<string> RequiredKeys { get; } =
        [.. BoundParameters.Keys.Where(key => key != "CleanupDefunctSiloEntryKey")];
}

/// <summary>A database migrated once for a test class, with its catalogue loaded.</summary>
public sealed class MigratedDatabaseFixture : IAsyncLifetime
{
    private TestDatabase? _database;

    public TestDatabase Database => _database ?? throw new InvalidOperationException("Fixture not initialised.");

    public IReadOnlyDictionary<string, string> Queries { get; private set; } = new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync("contract");
        await new SchemaMigrator(NullLogger<SchemaMigrator>.Instance).ApplyAsync(_database.ConnectionString, CancellationToken.None);

        var queries = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select querykey, querytext from orleansquery", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            queries.Add(reader.GetString(0), reader.GetString(1));
        }

        Queries = queries;
    }

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
