using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Retention;

/// <summary>
/// Legal holds mirrored into <c>legal_hold</c> by the write that places, replaces or lifts them (through the officers'
/// HTTP routes, real silo and PostgreSQL), and copied from sealed states written before the mirror existed.
/// </summary>
[Collection(TestCollections.SharedService)]
public sealed class LegalHoldMirrorTests(SharedService service)
{
    [Fact]
    public async Task A_placed_hold_is_mirrored_a_replaced_one_leaves_one_row_and_a_lifted_one_none_and_nobody_elses_row_changes()
    {
        var (admin, officer) = await OfficerAsync(service);
        var (held, heldKey) = await ClusterAsync(service);
        var (other, otherKey) = await ClusterAsync(service);
        await PlaceAsync(admin, officer, other, new { reason = "Litigation", reference = "LIT-2", endsAt = "2031-03-01T00:00:00Z" });

        await PlaceAsync(admin, officer, held, new { reason = "Preservation order", reference = "case-1" });
        var placed = await RowsAsync(service.Database, heldKey);
        var (firstId, firstEnd) = Assert.Single(placed);
        Assert.Null(firstEnd);
        Assert.Contains(firstId, await service.Database.GrainStateJsonAsync(heldKey), StringComparison.Ordinal);

        await PlaceAsync(admin, officer, held, new { reason = "Preservation order", reference = "case-1b", endsAt = "2030-06-01T00:00:00Z" });
        var (secondId, secondEnd) = Assert.Single(await RowsAsync(service.Database, heldKey));
        Assert.NotEqual(firstId, secondId);
        Assert.Equal(new DateTimeOffset(2030, 6, 1, 0, 0, 0, TimeSpan.Zero), secondEnd);

        using (var lift = await admin.SendAsync(officer.Request(HttpMethod.Delete, $"/v1/admin/legal-holds/clusters/{held}")))
        {
            Assert.Equal(HttpStatusCode.NoContent, lift.StatusCode);
        }

        Assert.Empty(await RowsAsync(service.Database, heldKey));
        Assert.DoesNotContain(secondId, await service.Database.GrainStateJsonAsync(heldKey), StringComparison.Ordinal);
        var (_, otherEnd) = Assert.Single(await RowsAsync(service.Database, otherKey));
        Assert.Equal(new DateTimeOffset(2031, 3, 1, 0, 0, 0, TimeSpan.Zero), otherEnd);

        // The mirror names subjects by their pseudonymous keys only.
        Assert.Equal(0L, await service.Database.ScalarAsync<long>(
            "select count(*) from legal_hold where subject_key in (@held, @other) or hold_id in (@held, @other)", ("held", held), ("other", other)));
    }

    [Fact]
    public async Task A_hold_in_a_sealed_state_from_before_the_mirror_is_copied_before_the_first_wave_which_then_destroys_only_the_unheld_cluster()
    {
        await using var owned = await ServiceHost.StartOwnedAsync<RetentionTests.FakeClockService>();
        var (admin, officer) = await OfficerAsync(owned);
        var (held, heldKey) = await ClusterAsync(owned);
        var (_, freeKey) = await ClusterAsync(owned);
        await PlaceAsync(admin, officer, held, new { reason = "Preservation order", reference = "case-sealed" });

        // As the release before the mirror left it: the hold in the sealed state only, no row, no backfill mark.
        Assert.True(await owned.Database.RewriteGrainStateAsync(heldKey, json => json.Replace("\"LegalHoldMirrorId\":", "\"Earlier\":", StringComparison.Ordinal)));
        await owned.Database.ScalarAsync<int>("with gone as (delete from legal_hold returning 1), marks as (delete from legal_hold_backfill returning 1) select 0");
        Assert.Equal(0L, await owned.Database.ScalarAsync<long>("select count(*) from legal_hold"));
        var freeItems = await owned.Database.ScalarAsync<long>("select count(*) from report_items where subject_key = @key", ("key", freeKey));
        var heldItems = await owned.Database.ScalarAsync<long>("select count(*) from report_items where subject_key = @key", ("key", heldKey));
        Assert.True(freeItems > 0 && heldItems > 0);

        // Past every report's expiry on the policy's clock, the region's wave runs.
        owned.Clock.Advance(TimeSpan.FromDays(200));
        var grains = owned.Silos[0].Services.GetRequiredService<IGrainFactory>();
        var destroyed = await grains.GetGrain<IRetentionWaveGrain>(RetentionWaveGrain.KeyFor("eu")).RunWaveAsync();

        Assert.Equal(1L, await owned.Database.ScalarAsync<long>(
            "select count(*) from legal_hold where subject_key = @key and hold_id = 'backfill'", ("key", heldKey)));
        Assert.Equal(1L, await owned.Database.ScalarAsync<long>("select count(*) from legal_hold"));
        Assert.Equal(1L, await owned.Database.ScalarAsync<long>("select count(*) from legal_hold_backfill where region = 'eu'"));
        Assert.Equal((int)freeItems, destroyed);
        Assert.Equal(heldItems, await owned.Database.ScalarAsync<long>("select count(*) from report_items where subject_key = @key", ("key", heldKey)));
        Assert.Equal(0L, await owned.Database.ScalarAsync<long>("select count(*) from report where subject_key = @key", ("key", freeKey)));
        Assert.Equal(freeItems, await owned.Database.ScalarAsync<long>("select coalesce(sum(count), 0) from destruction_ledger where proof_id like 'wave-%'"));

        // Lifting the hold removes the backfilled row too (a lift always clears a row copied from a state).
        using (var lift = await admin.SendAsync(officer.Request(HttpMethod.Delete, $"/v1/admin/legal-holds/clusters/{held}")))
        {
            Assert.Equal(HttpStatusCode.NoContent, lift.StatusCode);
        }

        Assert.Equal(0L, await owned.Database.ScalarAsync<long>("select count(*) from legal_hold"));
    }

    private static async Task<(HttpClient Admin, Person Officer)> OfficerAsync(ServiceHost host)
    {
        var officer = await host.SignUpAsync();
        var admin = await host.StartGatewayAsync(new Dictionary<string, string?> { ["Orleans:Mode"] = "client", ["Auth:Officers:0"] = officer.UserId });
        return (admin, officer);
    }

    private static async Task<(string Cluster, string Key)> ClusterAsync(ServiceHost host)
    {
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        using var report = await host.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: "203.0.113.44"));
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        return (cluster, host.Silos[0].Services.GetRequiredService<ClusterKeys>().For("eu", cluster));
    }

    private static async Task PlaceAsync(HttpClient admin, Person officer, string cluster, object body)
    {
        using var place = await admin.SendAsync(officer.Request(HttpMethod.Put, $"/v1/admin/legal-holds/clusters/{cluster}", body));
        Assert.Equal(HttpStatusCode.OK, place.StatusCode);
    }

    private static async Task<List<(string HoldId, DateTimeOffset? EndsAt)>> RowsAsync(TestDatabase database, string key)
    {
        await using var connection = new Npgsql.NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("select hold_id, ends_at from legal_hold where subject_key = @key", connection);
        command.Parameters.AddWithValue("key", key);
        var rows = new List<(string, DateTimeOffset?)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.IsDBNull(1) ? null : new DateTimeOffset(reader.GetDateTime(1), TimeSpan.Zero)));
        }

        return rows;
    }
}
