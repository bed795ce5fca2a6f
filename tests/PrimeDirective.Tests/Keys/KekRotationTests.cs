using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Requests;

namespace PrimeDirective.Tests.Keys;

/// <summary>
/// KEK rotation with a bound: a silo configured with a new active version re-wraps every key in the background while
/// reports keep arriving; the old version is destroyed Keys:KekMaxAge after it stopped (policy clock), so a key-store
/// backup from before opens nothing, while every value stored before and during the rotation still opens under the new
/// version. A re-wrap cut by a crash resumes, and a silo that lacks the only KEK some live keys need refuses to start.
/// </summary>
public sealed class KekRotationTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Rotating_the_KEK_under_ingest_rewraps_every_key_destroys_the_old_version_at_its_age_and_every_value_still_opens()
    {
        await using var service = await ServiceHost.StartOwnedAsync<RotationService>();
        var (kek1, kek2) = (service.Settings["KeyStore:Keks:1"]!, NewKek());
        var before = await IngestAsync(service, 12, "203.0.113.");
        Assert.Equal(0L, await CountAsync(service, "kek_version <> 1"));
        var backup = await WrappedUnderAsync(service, 1);
        Assert.True(backup.Count >= 12);

        // The rotation: a silo with version 2 active joins, the old one leaves, and reports keep coming meanwhile.
        var rotatedAt = service.Clock.GetUtcNow();
        await service.StartSiloAsync(overrides: Rotated(kek2));
        await service.StopSiloAsync(service.Silos[0]);
        var during = IngestAsync(service, 12, "198.51.100.");
        await Eventually.ReturnsAsync(() => CountAsync(service, "kek_version <> 2"), count => count == 0, Deadline, "every key re-wrapped under version 2");
        var clusters = before.Concat(await during).ToList();
        Assert.Equal(0L, await CountAsync(service, "kek_version <> 2"));

        // Officers see it done; version 1 stopped at the rotation and is due Keys:KekMaxAge later, not destroyed yet.
        var status = await service.Silos[0].Services.GetRequiredService<IGrainFactory>().GetGrain<IKekRotationGrain>(0).StatusAsync();
        Assert.Equal((2, 0L), (status.Active, status.Remaining));
        var old = Assert.Single(status.Versions, version => version.Version == 1);
        Assert.Equal((0L, rotatedAt, rotatedAt + TimeSpan.FromDays(30), (DateTimeOffset?)null), (old.LiveKeys, old.DeactivatedAt!.Value, old.DestroysAt!.Value, old.DestroyedAt));
        Assert.InRange(Assert.Single(status.Versions, version => version.Version == 2).LiveKeys, clusters.Count, long.MaxValue);

        // Officers read the same through the route and the console page; nobody else does.
        await OfficersSeeItDoneAsync(service);

        // Every value, stored before or during the rotation, opens with version 2 alone; nothing is left that needs version 1.
        service.Database.Sealer = TestSealing.Opener(service.KeyStore.ConnectionString, new Dictionary<string, string> { ["2"] = kek2 });
        await AllOpenAsync(service, clusters, addresses: true);

        // A day short of its age, a pass runs (it re-wraps a straggler made under version 1) and leaves version 1 usable.
        service.Clock.Advance(TimeSpan.FromDays(29));
        await PassRanAsync(service, kek1);
        Assert.Null(await service.KeyStore.ScalarAsync<DateTime?>("select destroyed_at from kek_versions where version = 1"));
        var keks = service.Silos[0].Services.GetRequiredService<KeyEncryptionKeys>();
        Assert.True(keks.CanUnwrap(1));

        // At its age it is destroyed: recorded, its material out of use, and the backup's keys open no more.
        service.Clock.Advance(TimeSpan.FromDays(2));
        await Eventually.ReturnsAsync(
            () => service.KeyStore.ScalarAsync<long>("select count(*) from kek_versions where version = 1 and destroyed_at is not null"),
            count => count == 1, Deadline, "version 1 destroyed");
        Assert.False(keks.CanUnwrap(1));
        Assert.All(backup, key => Assert.Throws<InvalidOperationException>(() => keks.Unwrap(key.Id, 1, key.Wrapped)));

        // The states still open (addresses are past their own 30-day expiry by now: retention may have removed them).
        await AllOpenAsync(service, clusters, addresses: false);

        // A restarted silo still configured with version 1 keeps it out of use, and serves every cluster.
        await service.StopSiloAsync(service.Silos[0]);
        var restarted = await service.StartSiloAsync(overrides: Rotated(kek2));
        Assert.False(restarted.Services.GetRequiredService<KeyEncryptionKeys>().CanUnwrap(1));
        await AllOpenAsync(service, clusters, addresses: false);
    }

    [Fact]
    public async Task A_rewrap_cut_by_a_crash_resumes_and_a_silo_without_the_old_KEK_refuses_to_start_while_live_keys_need_it()
    {
        await using var service = await ServiceHost.StartOwnedAsync<RotationService>();
        var kek2 = NewKek();
        var clusters = await IngestAsync(service, 10, "192.0.2.");
        var total = await CountAsync(service, "true");

        // A rotated silo that re-wraps two keys and then pauses for an hour: it dies mid-rewrap.
        var slow = new Dictionary<string, string?>(Rotated(kek2)) { ["Keys:RewrapBatchSize"] = "2", ["Keys:RewrapPause"] = "01:00:00", ["Keys:RewrapInterval"] = "01:00:00" };
        var crashing = await service.StartSiloAsync(overrides: slow);
        await service.StopSiloAsync(service.Silos[0]);
        await Eventually.ReturnsAsync(() => CountAsync(service, "kek_version = 2"), count => count >= 2, Deadline, "a first batch re-wrapped");
        await service.KillSiloAsync(crashing);
        var left = await CountAsync(service, "kek_version = 1");
        Assert.InRange(left, 1, total - 2);
        var activatedAt = await service.KeyStore.ScalarAsync<DateTime>("select activated_at from kek_versions where version = 2");

        // Without version 1, nothing could open those keys: the silo refuses to start, and nothing changes.
        service.Settings.Remove("KeyStore:Keks:1", out var kek1);
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => service.StartSiloAsync(overrides: Rotated(kek2)));
        service.Settings["KeyStore:Keks:1"] = kek1;
        Assert.Contains("wrapped by KEK version 1, which is not configured", refused.ToString(), StringComparison.Ordinal);
        Assert.Equal(left, await CountAsync(service, "kek_version = 1"));

        // With both versions it resumes where the crash left it, and the rotation is recorded once.
        await service.StartSiloAsync(overrides: Rotated(kek2));
        await Eventually.ReturnsAsync(() => CountAsync(service, "kek_version <> 2"), count => count == 0, Deadline, "the re-wrap resumed and finished");
        Assert.Equal(total, await CountAsync(service, "true"));
        Assert.Equal(activatedAt, await service.KeyStore.ScalarAsync<DateTime>("select activated_at from kek_versions where version = 2"));
        Assert.Equal(2L, await service.KeyStore.ScalarAsync<long>("select count(*) from kek_versions"));
        service.Database.Sealer = TestSealing.Opener(service.KeyStore.ConnectionString, new Dictionary<string, string> { ["2"] = kek2 });
        await AllOpenAsync(service, clusters, addresses: true);
    }

    private static async Task OfficersSeeItDoneAsync(ServiceHost service)
    {
        var (officer, person) = (await service.SignUpAsync(), await service.SignUpAsync());
        var admin = await service.StartGatewayAsync(new Dictionary<string, string?> { ["Orleans:Mode"] = "client", ["Auth:Officers:0"] = officer.UserId });
        using (var anonymous = await admin.GetAsync("/v1/admin/keys/rotation"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        foreach (var (token, expected) in new[] { (person.Token, HttpStatusCode.Forbidden), (officer.Token, HttpStatusCode.OK) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/admin/keys/rotation");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            using var response = await admin.SendAsync(request);
            Assert.Equal(expected, response.StatusCode);
            if (expected == HttpStatusCode.OK)
            {
                var status = await Json.ReadAsync(response);
                Assert.Equal((2, 0L), ((int)status["active"]!, (long)status["remaining"]!));
                Assert.Equal("1,2", string.Join(",", status["versions"]!.AsArray().Select(version => (int)version!["version"]!)));
                Assert.DoesNotContain("wrapped", status.ToJsonString(), StringComparison.OrdinalIgnoreCase);
            }
        }

        // The console page takes a session with the second factor, as every officer page does.
        var withFactor = await OfficerFactors.UpgradeAsync(request => admin.SendAsync(request), admin.BaseAddress!, officer.Token);
        using var page = new HttpRequestMessage(HttpMethod.Get, "/privacy/officer/key-rotation");
        page.Headers.Add("Cookie", $"pd_session={withFactor}");
        using var shown = await admin.SendAsync(page);
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        var html = await shown.Content.ReadAsStringAsync();
        Assert.Contains("Active version: <strong>2</strong>. Data keys still to re-wrap: <strong>0</strong>.", html, StringComparison.Ordinal);
    }

    private static string NewKek() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static Dictionary<string, string?> Rotated(string kek2) => new() { ["KeyStore:Keks:2"] = kek2, ["KeyStore:ActiveKek"] = "2" };

    private static async Task<List<(string Key, string Address)>> IngestAsync(ServiceHost service, int count, string network)
    {
        var keys = Erasure.KeysOf(service).Clusters;
        var ingested = new List<(string Key, string Address)>();
        for (var i = 1; i <= count; i++)
        {
            var (cluster, address) = (Flynn.NewId(), network + i);
            // While silos change a report may get 503 (nothing acknowledged); Flynn resends it, and so does this loop.
            var id = Flynn.NewId();
            await Eventually.ReturnsAsync(
                async () =>
                {
                    using var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, id, forwardedFor: address));
                    Assert.True(report.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"answered {report.StatusCode}");
                    return report.StatusCode;
                },
                status => status == HttpStatusCode.OK,
                Deadline,
                "the report acknowledged");
            ingested.Add((keys.For("eu", cluster), address));
        }

        return ingested;
    }

    /// <summary>Each cluster's sealed state opens through the test's sealer, and (when asked) its sealed address too.</summary>
    private static async Task AllOpenAsync(ServiceHost service, IEnumerable<(string Key, string Address)> clusters, bool addresses)
    {
        foreach (var (key, address) in clusters)
        {
            Assert.NotNull(await service.Database.GrainStateJsonAsync(key));
            if (addresses)
            {
                var stored = await service.Database.ScalarAsync<string>("select ip_address from report where subject_key = @key", ("key", key));
                var reportId = await service.Database.ScalarAsync<string>("select report_id from report where subject_key = @key", ("key", key));
                Assert.Equal(address, await service.Database.Sealer!.OpenTextAsync(ReportAddressSealing.ContextFor(key, reportId!), stored!));
            }
        }
    }

    private static Task<long> CountAsync(ServiceHost service, string where) =>
        service.KeyStore.ScalarAsync<long>($"select count(*) from data_keys where {where}");

    private static async Task<List<WrappedKey>> WrappedUnderAsync(ServiceHost service, int version)
    {
        var rows = new List<WrappedKey>();
        await using var connection = new Npgsql.NpgsqlConnection(service.KeyStore.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("select key_id, wrapped from data_keys where kek_version = @version", connection);
        command.Parameters.AddWithValue("version", version);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new WrappedKey(reader.GetGuid(0), "backup", version, (byte[])reader[1], string.Empty, DateTimeOffset.MinValue));
        }

        return rows;
    }

    /// <summary>Waits for a re-wrap pass after this point: a marker key made under version 1 ends up under version 2.</summary>
    private static async Task PassRanAsync(RotationService service, string kek1)
    {
        var opener = TestSealing.Opener(service.KeyStore.ConnectionString, kek1);
        var marker = await opener.EpochKeyAsync(new KeyEpoch("eu", "marker", DateOnly.FromDateTime(service.Clock.GetUtcNow().UtcDateTime).AddYears(5)));
        Assert.Equal(1, marker.KekVersion);
        await Eventually.ReturnsAsync(() => CountAsync(service, $"key_id = '{marker.Id}' and kek_version = 2"), count => count == 1, Deadline, "a pass re-wrapped the marker");
        await service.KeyStore.ScalarAsync<long>("with gone as (delete from data_keys where key_id = @id returning 1) select count(*) from gone", ("id", marker.Id));
    }

    /// <summary>The policy clock moved by the test; re-wrap passes every second, four keys a batch (the loop keeps real time).</summary>
    public sealed class RotationService : ServiceHost
    {
        public RotationService()
        {
            Settings["Keys:RewrapInterval"] = "00:00:01";
            Settings["Keys:RewrapBatchSize"] = "4";
            Settings["Keys:RewrapPause"] = "00:00:00.050";
            Settings["Keys:KekMaxAge"] = "30.00:00:00";
        }

        // Whole seconds, as the key store's timestamps keep them exactly.
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

        protected override string Purpose => "kekrotation";

        protected override void ConfigureSilo(ISiloBuilder silo) => silo.Services.Replace(ServiceDescriptor.Singleton(new PolicyClock(Clock)));
    }
}
