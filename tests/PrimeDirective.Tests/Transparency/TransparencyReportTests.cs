using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Npgsql;
using PrimeDirective.Grains.Transparency;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.PrivacyCenter;
using static Microsoft.Playwright.Assertions;

namespace PrimeDirective.Tests.Transparency;

/// <summary>
/// The public transparency report over real HTTP, PostgreSQL and a fake policy clock: its numbers are what the test did,
/// the running half-year is never in it, and nothing in it (JSON, CSV, page, or the table it is counted in) names anyone.
/// </summary>
public sealed class TransparencyReportTests
{
    private const string Rationale = "A court order under section 12 compels the disclosure of the account data.";

    private static readonly string[] s_account = ["account"];

    private static readonly string[] s_eu = ["eu"];

    private static readonly string[] s_kinds = ["access", "correction", "erasure", "child-removal", "consent-withdrawal"];

    [Fact]
    public async Task The_report_counts_what_was_done_in_a_closed_half_year_never_the_running_one_and_names_nobody()
    {
        await using var service = await ServiceHost.StartOwnedAsync<TransparencyService>();

        // Never within days of a half-year's end: every event of the test falls in one half-year of the policy's clock.
        if (HalfYears.Of(service.Clock.GetUtcNow().AddDays(4)) != HalfYears.Of(service.Clock.GetUtcNow()))
        {
            service.Clock.Advance(TimeSpan.FromDays(5));
        }

        var period = HalfYears.Of(service.Clock.GetUtcNow());
        var officer = await service.SignUpAsync("eu");
        var (admin, second) = await service.StartOfficerGatewayAsync(officer.UserId);
        var (reader, corrector, eraser, child, adult) =
            (await service.SignUpAsync("eu"), await service.SignUpAsync("eu"), await service.SignUpAsync("eu"), await service.SignUpAsync("eu"), await service.SignUpAsync("eu"));
        var identifiers = new List<string> { officer.UserId, officer.Email, officer.Name, second.Officer.UserId, second.Officer.Email };
        foreach (var person in new[] { reader, corrector, eraser, child, adult })
        {
            identifiers.AddRange([person.UserId, person.Email, person.Name]);
        }

        // Legal requests: a gagged court order rejected, a police request complied with (two officers), a regulator's undecided.
        var court = await ReceiveAsync(admin, officer, reader, "court", "Court of Somewhere", "CASE-7781", DateTimeOffset.UtcNow.AddDays(30));
        var police = await ReceiveAsync(admin, officer, corrector, "law-enforcement", "Somewhere Police", "POL-4410", null);
        var regulator = await ReceiveAsync(admin, officer, adult, "government", "Tax Office", "TAX-0093", null);
        identifiers.AddRange([court, police, regulator, "Court of Somewhere", "CASE-7781", "Somewhere Police", "POL-4410", "Tax Office", "TAX-0093"]);
        await DecideAsync(admin, officer, court, "reject", "The order names no lawful basis for the data asked for.");
        await DecideAsync(admin, officer, police, "disclose", Rationale);
        using (var nobody = await admin.SendAsync(officer.Request(HttpMethod.Post, "/v1/admin/legal-requests", new
        {
            authority = "Nobody's Court", reference = "X-1", subject = new { userId = "eu-00000000000000000000000000" }, categories = s_account, authorityKind = "court",
        })))
        {
            Assert.Equal(HttpStatusCode.NotFound, nobody.StatusCode);
        }

        // People's own requests: a copy asked for (reading in passing is not one), a correction, a consent withdrawn (granting is not one), an erasure.
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(service.Http, reader.Request(HttpMethod.Get, "/v1/me")));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(service.Http, reader.Request(HttpMethod.Get, "/v1/me?download=1")));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(service.Http, corrector.Request(HttpMethod.Patch, "/v1/me", new { name = "Corrected Name 5512" })));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(service.Http, corrector.Request(HttpMethod.Put, "/v1/me/consents/analytics", new { granted = true })));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(service.Http, corrector.Request(HttpMethod.Put, "/v1/me/consents/analytics", new { granted = false })));
        identifiers.Add("Corrected Name 5512");
        using var erase = await service.SendEraseAsync(eraser);
        Assert.Equal(HttpStatusCode.Accepted, erase.StatusCode);
        var erasure = (string)(await Json.ReadAsync(erase))["receiptUrl"]!;
        await CompletedAsync(service.Http, erasure);

        // Two child-removal requests: one rejected now, one approved two days after it came (it takes two days).
        var rejected = await ChildRemovalAsync(service.Http, adult.Email, identifiers);
        var approved = await ChildRemovalAsync(service.Http, child.Email, identifiers);
        identifiers.AddRange([Id(erasure), Id(rejected), Id(approved)]);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(admin, officer.Request(HttpMethod.Post, $"/v1/admin/child-removal-requests/{Id(rejected)}/decision", new { approve = false, reason = "An adult's account." })));
        service.Clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(admin, officer.Request(HttpMethod.Post, $"/v1/admin/child-removal-requests/{Id(approved)}/decision", new { approve = true })));
        await CompletedAsync(service.Http, approved);

        // A breach (two officers), everyone it reaches notified.
        var now = DateTimeOffset.UtcNow;
        using var declare = await admin.SendAsync(officer.Request(HttpMethod.Post, "/v1/admin/breaches", new
        {
            regions = s_eu, categories = s_account, exposedFrom = now.AddDays(-1), exposedUntil = now.AddHours(1),
            description = "A backup was readable from the internet.", advice = "Nothing to do.",
        }));
        Assert.Equal(HttpStatusCode.Created, declare.StatusCode);
        var breach = (string)(await Json.ReadAsync(declare))["id"]!;
        identifiers.Add(breach);
        var progress = await Eventually.ReturnsAsync(
            async () => await Json.ReadAsync(await admin.SendAsync(officer.Request(HttpMethod.Get, $"/v1/admin/breaches/{breach}"))),
            body => (bool)body["progress"]!["done"]!, TimeSpan.FromSeconds(60), "the breach's fan-out done");
        var notified = (long)progress["progress"]!["notified"]!;
        Assert.True(notified >= 5, $"{notified} notified");
        var breachPeriod = HalfYears.Of((DateTimeOffset)progress["declaredAt"]!);

        // While the half-year runs, nothing of it is published.
        Assert.Empty((await ReportAsync(service.Http))["halfYears"]!.AsArray());

        // The half-year closes; what happens in the next one is not published either.
        var next = HalfYears.Next(string.CompareOrdinal(breachPeriod, period) > 0 ? breachPeriod : period);
        service.Clock.Advance(HalfYears.Span(next)!.Value.From.ToDateTime(new TimeOnly(1, 0), DateTimeKind.Utc) - service.Clock.GetUtcNow().UtcDateTime);
        var late = await ReceiveAsync(admin, officer, adult, "court", "Late Court", "LATE-1", null);
        identifiers.AddRange([late, "Late Court", "LATE-1"]);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(service.Http, adult.Request(HttpMethod.Patch, "/v1/me", new { name = "Later Name 8812" })));

        var (json, report) = await ReportTextAsync(service.Http);
        var halves = report["halfYears"]!.AsArray().Select(half => half!).ToList();
        Assert.DoesNotContain(halves, half => (string?)half["period"] == next);
        var half = Assert.Single(halves, half => (string?)half["period"] == period);
        Assert.Equal(HalfYears.Span(period)!.Value.From.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), (string?)half["from"]);

        var legal = half["legalRequests"]!;
        Assert.Equal((3, 1, 1), ((long)legal["received"]!, (long)legal["rejected"]!, (long)legal["compliedWith"]!));
        Assert.Equal("0-249", (string?)legal["gaggedBand"]);
        var byKind = legal["byAuthorityKind"]!.AsArray().ToDictionary(kind => (string)kind!["authorityKind"]!, kind => ((long)kind!["received"]!, (long)kind["rejected"]!, (long)kind["compliedWith"]!));
        Assert.Equal(new Dictionary<string, (long, long, long)>
        {
            ["law-enforcement"] = (1, 0, 1), ["court"] = (1, 1, 0), ["government"] = (1, 0, 0), ["private-party"] = (0, 0, 0), ["other"] = (0, 0, 0),
        }, byKind);

        var requests = half["dataSubjectRequests"]!.AsArray().ToDictionary(
            kind => (string)kind!["kind"]!, kind => ((long)kind!["received"]!, (long)kind["completed"]!, (long)kind["denied"]!, (double?)kind["medianDaysToComplete"]));
        Assert.Equal(s_kinds, requests.Keys);
        Assert.Equal((1L, 1L, 0L, (double?)0), requests["access"]);
        Assert.Equal((1L, 1L, 0L, (double?)0), requests["correction"]);
        Assert.Equal((1L, 1L, 0L, (double?)0), requests["erasure"]);
        Assert.Equal((2L, 1L, 1L, (double?)2), requests["child-removal"]);
        Assert.Equal((1L, 1L, 0L, (double?)0), requests["consent-withdrawal"]);

        var breaches = Assert.Single(halves, half => (string?)half["period"] == breachPeriod)["breaches"]!;
        Assert.Equal((1L, notified), ((long)breaches["declared"]!, (long)breaches["peopleNotified"]!));

        // The gag is counted (the band hides the number), once.
        Assert.Equal(1, await ScalarAsync(service, "select count(*) from transparency_event where measure = 'legal-gagged'"));

        // CSV: the same figures, one line each.
        using var csvRequest = new HttpRequestMessage(HttpMethod.Get, "/v1/transparency");
        csvRequest.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var csvResponse = await service.Http.SendAsync(csvRequest);
        Assert.Equal(HttpStatusCode.OK, csvResponse.StatusCode);
        Assert.Equal("text/csv", csvResponse.Content.Headers.ContentType!.MediaType);
        var csv = await csvResponse.Content.ReadAsStringAsync();
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("period,from,to,section,kind,measure,value", lines[0]);
        Assert.Contains(lines, line => line.StartsWith(period, StringComparison.Ordinal) && line.EndsWith(",legal-requests,court,rejected,1", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith(period, StringComparison.Ordinal) && line.EndsWith(",legal-requests,,gagged-band,0-249", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith(period, StringComparison.Ordinal) && line.EndsWith(",data-subject-requests,child-removal,median-days-to-complete,2", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith(breachPeriod, StringComparison.Ordinal) && line.EndsWith($",breaches,,people-notified,{notified}", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.StartsWith(next, StringComparison.Ordinal));

        // Nothing names anyone: not the report, not the CSV, not the table it is counted in.
        var stored = await TextAsync(service, "select coalesce(string_agg(concat_ws(' ', region, event_id, period, measure, kind, days), ' '), '') from transparency_event");
        Assert.NotEmpty(stored);
        foreach (var identifier in identifiers)
        {
            Assert.DoesNotContain(identifier, json, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(identifier, csv, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(identifier, stored, StringComparison.OrdinalIgnoreCase);
        }

        // The page, anonymous: the closed half-year's tables, no script, accessible.
        await using var chromium = await HeadlessChromium.StartAsync();
        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BypassCSP = true, BaseURL = service.Http.BaseAddress!.ToString().TrimEnd('/') });
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync("/privacy/transparency");
        Assert.Equal(200, response!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Transparency report", Level = 1 })).ToBeVisibleAsync();
        var legalTable = page.GetByRole(AriaRole.Table, new() { Name = $"Legal requests, {period}" });
        await Expect(legalTable.GetByRole(AriaRole.Row).Filter(new() { HasText = "court" })).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"court\s*1\s*1\s*0"));
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = $"People's requests about their own data, {period}" })
            .GetByRole(AriaRole.Row).Filter(new() { HasText = "child-removal" })).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"child-removal\s*2\s*1\s*1\s*2"));
        await Expect(page.Locator("main")).ToContainTextAsync("Received under a gag order: 0-249");
        Assert.Equal(0, await page.GetByRole(AriaRole.Heading, new() { Name = $"({next})" }).CountAsync());
        Assert.Equal(0, await page.Locator("script").CountAsync());
        var main = await page.Locator("main").InnerTextAsync();
        Assert.All(identifiers, identifier => Assert.DoesNotContain(identifier, main, StringComparison.OrdinalIgnoreCase));
        await page.AssertAccessibleAsync();
        await context.CloseAsync();
    }

    private static async Task<string> ReceiveAsync(HttpClient admin, Person officer, Person person, string kind, string authority, string reference, DateTimeOffset? gagUntil)
    {
        using var response = await admin.SendAsync(officer.Request(HttpMethod.Post, "/v1/admin/legal-requests", new
        {
            authority, reference, subject = new { userId = person.UserId }, categories = s_account, gagUntil, authorityKind = kind,
        }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var view = await Json.ReadAsync(response);
        Assert.Equal(kind, (string?)view["request"]!["authorityKind"]);
        return (string)view["request"]!["requestId"]!;
    }

    private static async Task DecideAsync(HttpClient admin, Person officer, string requestId, string decision, string rationale)
    {
        using var response = await admin.SendAsync(officer.Request(HttpMethod.Post, $"/v1/admin/legal-requests/{requestId}/decision", new { decision, rationale }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<string> ChildRemovalAsync(HttpClient http, string childEmail, List<string> identifiers)
    {
        var (parentEmail, parentName) = (Infrastructure.People.NewEmail("parent"), Infrastructure.People.NewName());
        identifiers.AddRange([parentEmail, parentName]);
        using var submit = await http.PostAsync("/v1/child-removal-requests", Json.Body(new { childEmail, parentName, parentEmail, statement = "Please remove my child's account." }));
        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
        return (string)(await Json.ReadAsync(submit))["receiptUrl"]!;
    }

    /// <summary>A receipt URL's request id.</summary>
    private static string Id(string receiptUrl) => new Uri(new Uri("http://x"), receiptUrl).AbsolutePath.Split('/')[^1];

    private static async Task CompletedAsync(HttpClient http, string receiptUrl) => await Eventually.ReturnsAsync(
        async () =>
        {
            using var response = await http.GetAsync(receiptUrl);
            return response.StatusCode == HttpStatusCode.OK ? (string?)(await Json.ReadAsync(response))["status"] : null;
        },
        status => status == "completed", TimeSpan.FromSeconds(60), "the request completed");

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }
    }

    private static async Task<JsonNode> ReportAsync(HttpClient http) => (await ReportTextAsync(http)).Report;

    private static async Task<(string Text, JsonNode Report)> ReportTextAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/v1/transparency");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        return (text, JsonNode.Parse(text)!);
    }

    private static async Task<long> ScalarAsync(ServiceHost service, string sql) => Convert.ToInt64(await QueryAsync(service, sql), System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<string> TextAsync(ServiceHost service, string sql) => (string)(await QueryAsync(service, sql))!;

    private static async Task<object?> QueryAsync(ServiceHost service, string sql)
    {
        await using var connection = new NpgsqlConnection(service.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
