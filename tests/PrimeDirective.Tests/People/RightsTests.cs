using System.Net;
using System.Text.Json.Nodes;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.People;

/// <summary>A person's rights through the gateway: access and portability, correction, consent, linking.</summary>
[Collection(TestCollections.SharedService)]
public sealed class RightsTests(SharedService service)
{
    private readonly HttpClient _http = service.Http;

    [Fact]
    public async Task Withdrawing_usage_statistics_consent_makes_ingest_discard_the_linked_clusters_further_reports()
    {
        var person = await service.SignUpAsync();
        var (cluster, bootstrap) = await ReportingClusterAsync("before-link");
        await LinkAsync(person, cluster, bootstrap);

        using (var withdraw = await _http.SendAsync(person.Request(HttpMethod.Put, "/v1/me/consents/usage-statistics", new { granted = false })))
        {
            Assert.Equal(HttpStatusCode.OK, withdraw.StatusCode);
            var consent = await Json.ReadAsync(withdraw);
            Assert.False((bool)consent["granted"]!);
            Assert.Equal("consent", (string?)consent["basis"]);
        }

        // Acknowledged (so Flynn stops retrying), and nothing of it kept: not the report, not the address.
        var withdrawnReport = $"withdrawn-{Guid.NewGuid():N}";
        using (var report = await PostReportAsync(cluster, bootstrap, withdrawnReport, "192.0.2.77"))
        {
            Assert.Equal(HttpStatusCode.Accepted, report.StatusCode);
        }

        using (var scheduler = await _http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: "192.0.2.78")))
        {
            Assert.Equal(HttpStatusCode.OK, scheduler.StatusCode);
        }

        Assert.Equal(0, await service.Database.CountRowsContainingAsync(withdrawnReport));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync("192.0.2.77"));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync("192.0.2.78"));
        var me = await _http.GetMeAsync(person);
        Assert.DoesNotContain(ReportIds(me), id => id == withdrawnReport);
        Assert.Contains(ReportIds(me), id => id == "before-link");
        var history = me["account"]!["consentHistory"]!.AsArray();
        var withdrawal = Assert.Single(history);
        Assert.Equal("usage-statistics", (string?)withdrawal!["purpose"]);
        Assert.False((bool)withdrawal["granted"]!);
        Assert.False(string.IsNullOrEmpty((string?)withdrawal["policyVersion"]));

        // Granting it again resumes storage.
        using (var grant = await _http.SendAsync(person.Request(HttpMethod.Put, "/v1/me/consents/usage-statistics", new { granted = true })))
        {
            Assert.Equal(HttpStatusCode.OK, grant.StatusCode);
        }

        var grantedReport = $"granted-{Guid.NewGuid():N}";
        using (var report = await PostReportAsync(cluster, bootstrap, grantedReport, "192.0.2.79"))
        {
            Assert.Equal(HttpStatusCode.Accepted, report.StatusCode);
        }

        Assert.Contains(ReportIds(await _http.GetMeAsync(person)), id => id == grantedReport);
    }

    [Fact]
    public async Task The_export_says_per_item_whether_it_is_encrypted_at_rest_and_the_key_version_never_the_key()
    {
        var person = await service.SignUpAsync();
        var (cluster, bootstrap) = await ReportingClusterAsync("protection-1", region: "us");
        await LinkAsync(person, cluster, bootstrap);

        using var download = await _http.SendAsync(person.Request(HttpMethod.Get, "/v1/me?download=1"));

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var export = await Json.ReadAsync(download);
        var items = Assert.Single(export["clusters"]!.AsArray())!["data"]!["items"]!.AsArray().Select(item => item!).ToList();
        // Every item of the report log says how it is stored (items kept in the cluster's grain state: the test above).
        items = [.. items.Where(item => item["reportId"] is not null)];
        Assert.NotEmpty(items);
        Assert.All(items, item => Assert.NotNull(item["protection"]));

        // The address is sealed under the cluster's key and its expiry epoch's; the fixture's only KEK is version 1.
        var ip = items.Single(item => (string?)item["category"] == "ip-address")["protection"]!;
        Assert.True((bool)ip["encryptedAtRest"]!);
        Assert.Equal("per-value-epoch", (string?)ip["sealing"]);
        Assert.Equal(1, (int)ip["keyVersion"]!);

        // Numbers and categories are stored plain (the inventory says so), and the export says so rather than claim more.
        Assert.All(items.Where(item => (string?)item["category"] != "ip-address"), item =>
        {
            Assert.False((bool)item["protection"]!["encryptedAtRest"]!);
            Assert.Equal("none", (string?)item["protection"]!["sealing"]);
            Assert.Null(item["protection"]!["keyVersion"]);
        });

        // Nothing of the key itself: exactly these three fields, and no key id or fingerprint from the key store.
        Assert.All(items, item => Assert.Equal(["encryptedAtRest", "keyVersion", "sealing"], item["protection"]!.AsObject().Select(field => field.Key).Order(StringComparer.Ordinal)));
        var text = export.ToJsonString();
        var keys = await service.KeyStore.ScalarAsync<string>("SELECT string_agg(fingerprint || ' ' || key_id::text, ' ') FROM data_keys");
        foreach (var secret in keys!.Split(' '))
        {
            Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Items_kept_in_the_persons_and_the_linked_clusters_state_say_they_are_sealed_whole_under_key_version_1()
    {
        var person = await service.SignUpAsync();
        var (cluster, bootstrap) = await ReportingClusterAsync("protection-state", region: "us");
        await LinkAsync(person, cluster, bootstrap);

        using var download = await _http.SendAsync(person.Request(HttpMethod.Get, "/v1/me?download=1"));

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var export = await Json.ReadAsync(download);
        var account = export["account"]!["items"]!.AsArray().Select(item => item!).ToList();
        Assert.Equal(["birth-date", "email", "name", "user-id"], account.Select(item => (string)item["itemId"]!).Order(StringComparer.Ordinal));
        var clusterItems = Assert.Single(export["clusters"]!.AsArray())!["data"]!["items"]!.AsArray().Select(item => item!).ToList();
        var identifiers = clusterItems.Where(item => item["reportId"] is null).ToList();
        Assert.NotEmpty(identifiers);

        // The account's items and the cluster's identifiers live in their subject's grain state, sealed whole under its key.
        Assert.All(account.Concat(identifiers), item =>
        {
            var protection = item["protection"]!;
            Assert.True((bool)protection["encryptedAtRest"]!);
            Assert.Equal("state", (string?)protection["sealing"]);
            Assert.Equal(1, (int)protection["keyVersion"]!);
            Assert.Equal(["encryptedAtRest", "keyVersion", "sealing"], protection.AsObject().Select(field => field.Key).Order(StringComparer.Ordinal));
        });

        // The report log's items keep saying how they themselves are stored (not the state's word).
        Assert.Equal("per-value-epoch", (string?)clusterItems.Single(item => (string?)item["category"] == "ip-address")["protection"]!["sealing"]);
        Assert.All(clusterItems.Where(item => item["reportId"] is not null && (string?)item["category"] != "ip-address"), item =>
            Assert.Equal("none", (string?)item["protection"]!["sealing"]));
    }

    [Fact]
    public async Task Access_returns_everything_held_with_expiries_and_download_makes_it_an_attachment()
    {
        var person = await service.SignUpAsync();
        var (cluster, bootstrap) = await ReportingClusterAsync("export-1", region: "us");
        var link = await LinkAsync(person, cluster, bootstrap);
        Assert.Equal("us", (string?)link["region"]);

        using var download = await _http.SendAsync(person.Request(HttpMethod.Get, "/v1/me?download=1"));

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        var export = await Json.ReadAsync(download);
        Assert.Equal(person.Email, (string?)export["account"]!["profile"]!["email"]);
        var linked = Assert.Single(export["clusters"]!.AsArray())!;
        Assert.Equal(cluster, (string?)linked["clusterId"]);
        Assert.Equal("us", (string?)linked["region"]);
        var items = linked["data"]!["items"]!.AsArray();
        var ip = items.Single(item => (string?)item!["category"] == "ip-address")!;
        Assert.Equal("192.0.2.10", (string?)ip["value"]);
        Assert.Equal(new DateTimeOffset(((DateTimeOffset)ip["collectedAt"]!).AddDays(30).UtcDateTime.Date, TimeSpan.Zero), (DateTimeOffset)ip["expiresAt"]!);
        Assert.Contains(export["account"]!["consents"]!.AsArray(), consent => (string?)consent!["purpose"] == "service-provision" && (string?)consent["basis"] == "contract");
        Assert.Contains(export["account"]!["audit"]!.AsArray(), entry => (string?)entry!["action"] == "cluster-linked");

        // The audit trail is pseudonymous: no email, name, cluster id or address in it.
        var audit = export["account"]!["audit"]!.ToJsonString();
        foreach (var value in new[] { person.Email, person.Name, cluster, bootstrap, "192.0.2.10" })
        {
            Assert.DoesNotContain(value, audit, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Linking_needs_the_clusters_bootstrap_id_and_a_wrong_proof_is_answered_as_unknown()
    {
        var person = await service.SignUpAsync();
        var (cluster, _) = await ReportingClusterAsync("proof-1");

        using var wrong = await _http.SendAsync(person.Request(HttpMethod.Post, "/v1/me/clusters", new { clusterId = cluster, bootstrapId = Flynn.NewId() }));
        using var unknown = await _http.SendAsync(person.Request(HttpMethod.Post, "/v1/me/clusters", new { clusterId = Flynn.NewId(), bootstrapId = Flynn.NewId() }));

        Assert.Equal(HttpStatusCode.NotFound, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(Problem(await Json.ReadAsync(unknown)), Problem(await Json.ReadAsync(wrong)));
        Assert.Empty((await _http.GetMeAsync(person))["clusters"]!.AsArray());
    }

    [Fact]
    public async Task Correcting_the_name_changes_it_and_records_why_without_the_value()
    {
        var person = await service.SignUpAsync();
        var corrected = Infrastructure.People.NewName();

        using var patch = await _http.SendAsync(person.Request(HttpMethod.Patch, "/v1/me", new { name = corrected }));

        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        var me = await _http.GetMeAsync(person);
        Assert.Equal(corrected, (string?)me["account"]!["profile"]!["name"]);
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(person.Name));
        var entry = me["account"]!["audit"]!.AsArray().Single(item => (string?)item!["action"] == "profile-corrected")!;
        Assert.DoesNotContain(corrected, entry.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_email_change_is_confirmed_by_a_code_sent_to_the_new_address_and_moves_the_index_entry()
    {
        var person = await service.SignUpAsync();
        var newEmail = Infrastructure.People.NewEmail("moved");

        using (var start = await _http.SendAsync(person.Request(HttpMethod.Patch, "/v1/me", new { email = newEmail })))
        {
            Assert.Equal(HttpStatusCode.OK, start.StatusCode);
            Assert.Equal("code-sent", (string?)(await Json.ReadAsync(start))["emailChange"]);
        }

        var code = await service.Outbox.NextCodeAsync(newEmail);
        using (var wrong = await _http.SendAsync(person.Request(HttpMethod.Patch, "/v1/me", new { email = newEmail, emailCode = WrongCode(code) })))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, wrong.StatusCode);
            Assert.Equal(person.Email, (string?)(await _http.GetMeAsync(person))["account"]!["profile"]!["email"]);
        }

        using (var confirm = await _http.SendAsync(person.Request(HttpMethod.Patch, "/v1/me", new { email = newEmail, emailCode = code })))
        {
            Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
            Assert.Equal("changed", (string?)(await Json.ReadAsync(confirm))["emailChange"]);
        }

        Assert.Equal(newEmail, (string?)(await _http.GetMeAsync(person))["account"]!["profile"]!["email"]);
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(person.Email));

        // The old address no longer signs in; the new one does, to the same account.
        using (var old = await _http.PostAsync("/v1/sessions", Json.Body(new { email = person.Email })))
        {
            Assert.Equal(HttpStatusCode.Accepted, old.StatusCode);
        }

        using (var fresh = await _http.PostAsync("/v1/sessions", Json.Body(new { email = newEmail })))
        {
            Assert.Equal(HttpStatusCode.Accepted, fresh.StatusCode);
        }

        var signIn = await service.Outbox.NextCodeAsync(newEmail, seen: 1);
        Assert.Equal(person.UserId, (await Infrastructure.People.VerifyAsync(_http, newEmail, signIn)).UserId);
        Assert.Single(await service.Outbox.MessagesToAsync(person.Email));
    }

    [Fact]
    public async Task A_sign_up_for_a_known_address_creates_nothing_and_tells_the_owner()
    {
        var person = await service.SignUpAsync();
        var intruder = Infrastructure.People.NewName();

        using var again = await _http.PostAsync("/v1/users", Json.Body(new { email = person.Email, name = intruder, region = "us", birthDate = "1970-01-01" }));
        using var fresh = await _http.PostAsync("/v1/users", Json.Body(new { email = Infrastructure.People.NewEmail(), name = intruder, region = "us", birthDate = "1970-01-01" }));

        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(await fresh.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        var notice = await service.Outbox.NextMessageAsync(person.Email, seen: 1);
        Assert.Contains("already has one", notice.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("Your code", notice.TextBody, StringComparison.Ordinal);
        Assert.Equal(person.Name, (string?)(await _http.GetMeAsync(person))["account"]!["profile"]!["name"]);
    }

    [Fact]
    public async Task Wrong_codes_burn_the_code_after_five_attempts()
    {
        var (email, name) = (Infrastructure.People.NewEmail(), Infrastructure.People.NewName());
        using (var signUp = await _http.PostAsync("/v1/users", Json.Body(new { email, name, region = "eu", birthDate = "1990-01-01" })))
        {
            Assert.Equal(HttpStatusCode.Accepted, signUp.StatusCode);
        }

        var code = await service.Outbox.NextCodeAsync(email);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var wrong = await _http.PostAsync("/v1/sessions/verify", Json.Body(new { email, code = WrongCode(code, attempt) }));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var right = await _http.PostAsync("/v1/sessions/verify", Json.Body(new { email, code }));
        Assert.Equal(HttpStatusCode.Unauthorized, right.StatusCode);

        // The burnt sign-up took its personal data with it.
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(name));
    }

    /// <summary>A problem's stable parts (everything but its trace id).</summary>
    private static string Problem(JsonNode problem) =>
        $"{problem["status"]}|{problem["type"]}|{problem["title"]}|{problem["detail"]}";

    private static string WrongCode(string code, int offset = 0) =>
        ((int.Parse(code, System.Globalization.CultureInfo.InvariantCulture) + 1 + offset) % 100_000_000).ToString("D8", System.Globalization.CultureInfo.InvariantCulture);

    private async Task<(string Cluster, string Bootstrap)> ReportingClusterAsync(string reportId, string? region = null)
    {
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        using var report = await PostReportAsync(cluster, bootstrap, reportId, "192.0.2.10", region);
        Assert.Equal(HttpStatusCode.Accepted, report.StatusCode);
        return (cluster, bootstrap);
    }

    private async Task<HttpResponseMessage> PostReportAsync(string cluster, string bootstrap, string reportId, string address, string? region = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{(region is null ? string.Empty : "/" + region)}/v1/clusters/{cluster}/reports")
        {
            Content = Json.Body(Json.Report(bootstrap, reportId)),
        };
        request.Headers.Add("X-Forwarded-For", address);
        return await _http.SendAsync(request);
    }

    private async Task<JsonNode> LinkAsync(Person person, string cluster, string bootstrap)
    {
        using var link = await _http.SendAsync(person.Request(HttpMethod.Post, "/v1/me/clusters", new { clusterId = cluster, bootstrapId = bootstrap }));
        Assert.Equal(HttpStatusCode.OK, link.StatusCode);
        return await Json.ReadAsync(link);
    }

    private static IEnumerable<string?> ReportIds(JsonNode me) =>
        me["clusters"]!.AsArray().SelectMany(cluster => cluster!["data"]!["items"]!.AsArray()).Select(item => (string?)item!["reportId"]);
}
