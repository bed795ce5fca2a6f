using System.Collections.Immutable;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Storage;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Requests;

namespace PrimeDirective.Tests.Storage;

/// <summary>A subject's state document stays bounded however long it lives: old history is folded, not kept entry by entry.</summary>
[Collection(TestCollections.SharedService)]
public sealed class BoundedStateTests(SharedService service)
{
    [Fact]
    public async Task A_clusters_audit_trail_keeps_its_newest_entries_and_a_summary_of_the_rest_and_its_row_stops_growing()
    {
        var officer = await service.SignUpAsync();
        var admin = await service.StartGatewayAsync(new Dictionary<string, string?> { ["Orleans:Mode"] = "client", ["Auth:Officers:0"] = officer.UserId });
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        await Erasure.SendAsync(service.Http, Flynn.SchedulerReport(cluster, bootstrap), HttpStatusCode.OK);
        var key = Erasure.KeysOf(service).Clusters.For("eu", cluster);

        await PlaceHoldsAsync(admin, officer, cluster, BoundedHistory.MaxAuditEntries + 50);
        var sizeAfterFirst = await RowSizeAsync(key);
        await PlaceHoldsAsync(admin, officer, cluster, 100);
        var sizeAfterMore = await RowSizeAsync(key);

        // A hundred more placements left the stored document as large as it was (give or take the digits of the counts).
        Assert.InRange(sizeAfterMore - sizeAfterFirst, -16, 16);
        Assert.Equal(BoundedHistory.MaxAuditEntries, Member(await StoredStateAsync(key), "audit").AsArray().Count);

        // The operator still sees that they happened: the newest in full, the rest counted.
        using var response = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap));
        var audit = (await Json.ReadAsync(response))["audit"]!.AsArray();
        Assert.Equal(BoundedHistory.MaxAuditEntries + 1, audit.Count);
        Assert.Equal("earlier-entries-summarised", (string?)audit[0]!["action"]);
        Assert.Contains("150 earlier entries", (string?)audit[0]!["reason"], StringComparison.Ordinal);
        Assert.Contains("legal-hold-placed ×150", (string?)audit[0]!["reason"], StringComparison.Ordinal);
        Assert.All(audit.Skip(1), entry => Assert.Equal("legal-hold-placed", (string?)entry!["action"]));
    }

    [Fact]
    public async Task A_persons_audit_trail_is_folded_the_same_way()
    {
        var person = await service.SignUpAsync();
        for (var i = 0; i < BoundedHistory.MaxAuditEntries + 10; i++)
        {
            using var patch = await service.Http.SendAsync(person.Request(HttpMethod.Patch, "/v1/me", new { name = $"Name {i}" }));
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        }

        var audit = (await service.Http.GetMeAsync(person))["account"]!["audit"]!.AsArray();
        Assert.Equal(BoundedHistory.MaxAuditEntries + 1, audit.Count);
        Assert.Equal("earlier-entries-summarised", (string?)audit[0]!["action"]);
        Assert.Contains("account-created ×1", (string?)audit[0]!["reason"], StringComparison.Ordinal);
        Assert.Equal("profile-corrected", (string?)audit[^1]!["action"]);
        Assert.Equal(BoundedHistory.MaxAuditEntries, Member(await StoredStateAsync(Erasure.KeysOf(service).Users.ForUser(person.UserId)), "audit").AsArray().Count);
    }

    [Fact]
    public async Task Reports_are_rows_not_state_and_a_repeated_report_id_is_a_duplicate_stored_once()
    {
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        for (var i = 0; i < 3; i++)
        {
            await Erasure.SendAsync(service.Http, Flynn.SchedulerReport(cluster, bootstrap), HttpStatusCode.OK);
        }

        var key = Erasure.KeysOf(service).Clusters.For("eu", cluster);
        Assert.Empty(Member(await StoredStateAsync(key), "accepted").AsObject());

        var grains = service.Silos[0].Services.GetRequiredService<IGrainFactory>();
        var report = new ClusterReport(cluster, bootstrap, "report-1", "v20161108.0", null, ImmutableDictionary<string, double>.Empty.Add("ct_hosts", 3), [], []);
        var first = await grains.GetGrain<IClusterGrain>(key).RecordReportAsync(report);
        var again = await grains.GetGrain<IClusterGrain>(key).RecordReportAsync(report);
        Assert.Equal(ReportOutcome.Stored, first.Outcome);
        Assert.Equal(ReportOutcome.Duplicate, again.Outcome);
        Assert.Equal(first.AcceptedAt, again.AcceptedAt);
        Assert.Empty(Member(await StoredStateAsync(key), "accepted").AsObject());
        Assert.Empty(Member(await StoredStateAsync(key), "items").AsArray());
        Assert.Equal(2L, await service.Database.ScalarAsync<long>(
            "select count(*) from report_items where subject_key = @key and report_id = 'report-1'", ("key", key)));
        Assert.Equal(3 * 3L + 2, await service.Database.ScalarAsync<long>("select count(*) from report_items where subject_key = @key", ("key", key)));
    }

    [Fact]
    public void Notices_beyond_the_cap_are_folded_into_a_summary_shown_first()
    {
        var notices = Enumerable.Range(0, BoundedHistory.MaxNotifications + 3)
            .Select(i => new Notification($"n{i}", DateTimeOffset.UnixEpoch.AddDays(i), i < 2 ? "breach" : "email-changed", "text")).ToList();
        var folded = new FoldedHistory();
        BoundedHistory.FoldNotifications(notices, folded);

        Assert.Equal(BoundedHistory.MaxNotifications, notices.Count);
        Assert.Equal("n3", notices[0].Id);
        Assert.Equal(3, folded.Count);
        Assert.Equal(DateTimeOffset.UnixEpoch, folded.Since);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddDays(2), folded.Until);
        var shown = BoundedHistory.ShowNotifications(notices, folded).ToList();
        Assert.Equal("earlier-notices-summarised", shown[0].Kind);
        Assert.Contains("breach ×2, email-changed ×1", shown[0].Text, StringComparison.Ordinal);
    }

    private static async Task PlaceHoldsAsync(HttpClient admin, Person officer, string cluster, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var place = await admin.SendAsync(officer.Request(
                HttpMethod.Put, $"/v1/admin/legal-holds/clusters/{cluster}", new { reason = "Preservation order", reference = "case-1" }));
            Assert.Equal(HttpStatusCode.OK, place.StatusCode);
        }
    }

    /// <summary>The stored document's size, opened (sealing adds a fixed header and tag, and base64 a third).</summary>
    private async Task<long> RowSizeAsync(string key) =>
        System.Text.Encoding.UTF8.GetByteCount(await service.Database.GrainStateJsonAsync(key) ?? string.Empty);

    private async Task<JsonNode> StoredStateAsync(string key) =>
        JsonNode.Parse(await service.Database.GrainStateJsonAsync(key) ?? "null")!;

    /// <summary>A member of stored state JSON, whatever casing the storage serializer uses.</summary>
    private static JsonNode Member(JsonNode node, string name) =>
        node.AsObject().Single(pair => string.Equals(pair.Key, name, StringComparison.OrdinalIgnoreCase)).Value!;
}
