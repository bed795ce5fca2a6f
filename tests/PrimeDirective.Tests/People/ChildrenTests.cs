using System.Net;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.People;

/// <summary>Policy: "If you are under 13, we don't want your personal information", and a parent can have a child's data removed.</summary>
[Collection(TestCollections.SharedService)]
public sealed class ChildrenTests(SharedService service)
{
    private readonly HttpClient _http = service.Http;

    [Fact]
    public async Task An_under_13_sign_up_is_refused_and_leaves_nothing_in_the_database_the_outbox_or_the_logs()
    {
        var (email, name) = (Infrastructure.People.NewEmail("child"), Infrastructure.People.NewName());
        var birthDate = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-13).AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        using var signUp = await _http.PostAsync("/v1/users", Json.Body(new { email, name, region = "eu", birthDate }));

        Assert.Equal(HttpStatusCode.Forbidden, signUp.StatusCode);
        Assert.Equal("application/problem+json", signUp.Content.Headers.ContentType?.MediaType);
        var problem = await Json.ReadAsync(signUp);
        Assert.Equal("urn:prime-directive:problem:under-13", (string?)problem["type"]);
        var body = problem.ToJsonString();
        Assert.DoesNotContain(email, body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(name, body, StringComparison.Ordinal);

        // A sign-up that did go through afterwards proves the outbox was being written while we looked.
        var adult = await service.SignUpAsync();
        Assert.NotNull(adult.UserId);
        Assert.Empty(await service.Outbox.MessagesToAsync(email));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(email));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(name));
        var logs = LogText.All(service.Logs);
        Assert.DoesNotContain(email, logs, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(name, logs, StringComparison.Ordinal);

        // Thirteen today is old enough.
        var thirteen = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-13).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        using var teen = await _http.PostAsync("/v1/users", Json.Body(new { email, name, region = "eu", birthDate = thirteen }));
        Assert.Equal(HttpStatusCode.Accepted, teen.StatusCode);
    }

    [Fact]
    public async Task Correcting_a_birth_date_to_under_13_schedules_the_accounts_erasure()
    {
        var person = await service.SignUpAsync();
        var childBirthDate = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-10).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        using var correct = await _http.SendAsync(person.Request(HttpMethod.Patch, "/v1/me", new { birthDate = childBirthDate }));

        Assert.Equal(HttpStatusCode.Accepted, correct.StatusCode);
        var accepted = await Json.ReadAsync(correct);
        var receiptUrl = (string)accepted["receiptUrl"]!;
        var receipt = await Eventually.ReturnsAsync(
            () => GetJsonAsync(receiptUrl), json => (string?)json?["status"] == "completed", TimeSpan.FromSeconds(30), "the erasure completes");
        Assert.Contains(receipt!["receipts"]!.AsArray(), entry => (string?)entry!["subject"] == "account");
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(person.Email));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(person.Name));
        using var me = await _http.SendAsync(person.Request(HttpMethod.Get, "/v1/me"));
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Fact]
    public async Task An_approved_child_removal_erases_the_childs_account_and_tells_the_parent()
    {
        var child = await service.SignUpAsync(region: "ap");
        var officer = await service.SignUpAsync();
        var officerHttp = await service.StartGatewayAsync(new Dictionary<string, string?> { ["Orleans:Mode"] = "client", ["Auth:Officers:0"] = officer.UserId });
        var (parentEmail, parentName) = (Infrastructure.People.NewEmail("parent"), Infrastructure.People.NewName());
        const string statement = "My daughter is eleven and signed up without asking me.";

        using var submit = await _http.PostAsync("/v1/child-removal-requests", Json.Body(new { childEmail = child.Email, parentName, parentEmail, statement }));
        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
        var accepted = await Json.ReadAsync(submit);
        var requestId = (string)accepted["requestId"]!;
        Assert.StartsWith("ap-", requestId, StringComparison.Ordinal);
        Assert.Equal("awaiting-review", (string?)accepted["status"]);
        var acknowledgement = await service.Outbox.NextMessageAsync(parentEmail, seen: 0);
        Assert.Contains(requestId, acknowledgement.TextBody, StringComparison.Ordinal);

        // Nothing happens to the child's account before an officer decides.
        Assert.Equal(child.Email, (string?)(await _http.GetMeAsync(child))["account"]!["profile"]!["email"]);

        var pending = await GetAsOfficerAsync(officerHttp, officer, "/v1/admin/child-removal-requests");
        var review = pending!.AsArray().Single(entry => (string?)entry!["request"]!["requestId"] == requestId)!;
        Assert.Equal(statement, (string?)review["statement"]);
        Assert.Equal(parentEmail, (string?)review["parentEmail"]);

        using (var decide = await officerHttp.SendAsync(officer.Request(HttpMethod.Post, $"/v1/admin/child-removal-requests/{requestId}/decision", new { approve = true })))
        {
            Assert.Equal(HttpStatusCode.OK, decide.StatusCode);
        }

        var receipt = await Eventually.ReturnsAsync(
            () => GetJsonAsync((string)accepted["receiptUrl"]!), json => (string?)json?["status"] == "completed", TimeSpan.FromSeconds(30), "the removal completes");
        Assert.Contains(receipt!["receipts"]!.AsArray(), entry => (string?)entry!["subject"] == "account" && (string?)entry!["region"] == "ap");
        var answer = await service.Outbox.NextMessageAsync(parentEmail, seen: 1);
        Assert.Contains("approved", answer.TextBody, StringComparison.Ordinal);

        // The child's data and the parent's own data are both gone; the request is no longer pending.
        foreach (var value in new[] { child.Email, child.Name, child.UserId, parentEmail, parentName, statement })
        {
            Assert.Equal(0, await service.Database.CountRowsContainingAsync(value));
        }

        using var childMe = await _http.SendAsync(child.Request(HttpMethod.Get, "/v1/me"));
        Assert.Equal(HttpStatusCode.Unauthorized, childMe.StatusCode);
        var after = await GetAsOfficerAsync(officerHttp, officer, "/v1/admin/child-removal-requests");
        Assert.DoesNotContain(after!.AsArray(), entry => (string?)entry!["request"]!["requestId"] == requestId);
    }

    [Fact]
    public async Task A_rejected_child_removal_keeps_the_account_tells_the_parent_and_forgets_the_parent()
    {
        var child = await service.SignUpAsync();
        var officer = await service.SignUpAsync();
        var officerHttp = await service.StartGatewayAsync(new Dictionary<string, string?> { ["Orleans:Mode"] = "client", ["Auth:Officers:0"] = officer.UserId });
        var (parentEmail, parentName) = (Infrastructure.People.NewEmail("parent"), Infrastructure.People.NewName());

        using var submit = await _http.PostAsync("/v1/child-removal-requests", Json.Body(new { childEmail = child.Email, parentName, parentEmail, statement = "Please remove my son." }));
        var requestId = (string)(await Json.ReadAsync(submit))["requestId"]!;

        using (var decide = await officerHttp.SendAsync(officer.Request(
            HttpMethod.Post, $"/v1/admin/child-removal-requests/{requestId}/decision", new { approve = false, reason = "The account holder is an adult." })))
        {
            Assert.Equal(HttpStatusCode.OK, decide.StatusCode);
            Assert.Equal("rejected", (string?)(await Json.ReadAsync(decide))["status"]);
        }

        var answer = await service.Outbox.NextMessageAsync(parentEmail, seen: 1);
        Assert.Contains("declined", answer.TextBody, StringComparison.Ordinal);
        Assert.Equal(child.Email, (string?)(await _http.GetMeAsync(child))["account"]!["profile"]!["email"]);
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(parentEmail));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(parentName));

        // A decided request cannot be decided again.
        using var again = await officerHttp.SendAsync(officer.Request(HttpMethod.Post, $"/v1/admin/child-removal-requests/{requestId}/decision", new { approve = true }));
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    private async Task<System.Text.Json.Nodes.JsonNode?> GetJsonAsync(string url)
    {
        using var response = await _http.GetAsync(url);
        return response.IsSuccessStatusCode ? await Json.ReadAsync(response) : null;
    }

    private static async Task<System.Text.Json.Nodes.JsonNode?> GetAsOfficerAsync(HttpClient http, Person officer, string path)
    {
        using var response = await http.SendAsync(officer.Request(HttpMethod.Get, path));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Json.ReadAsync(response);
    }
}
