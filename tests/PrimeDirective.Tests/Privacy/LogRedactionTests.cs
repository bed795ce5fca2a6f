using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Privacy;

[Collection(TestCollections.SharedService)]
public sealed partial class LogRedactionTests(SharedService service)
{
    [Fact]
    public void No_gateway_opens_the_request_path_scope_that_every_line_logged_during_a_request_would_carry()
    {
        // ASP.NET Core opens its request scope (RequestPath: /v1/clusters/{id}/…) only while its hosting category logs at
        // all; any provider that writes scopes would then print the path beside an Orleans warning raised in a request.
        foreach (var gateway in service.Gateways)
        {
            var hosting = gateway.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics");
            Assert.False(hosting.IsEnabled(LogLevel.Critical), "the hosting category, and with it the request-path scope, is off");
        }

        Assert.NotEmpty(service.Gateways);
    }

    [Fact]
    public async Task Logs_captured_during_ingest_hold_no_ip_address_and_no_cluster_or_bootstrap_id()
    {
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        const string address = "198.51.100.23";
        var http = service.Http;

        using (var scheduler = await http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: address)))
        {
            Assert.Equal(HttpStatusCode.OK, scheduler.StatusCode);
        }

        using (var report = await http.PostAsync($"/v1/clusters/{cluster}/reports", Json.Body(Json.Report(bootstrap, "log-check"))))
        {
            Assert.Equal(HttpStatusCode.Accepted, report.StatusCode);
        }

        using (var bad = await http.PostAsync($"/v1/clusters/{cluster}/reports", Json.Raw("{\"bootstrapId\":\"" + bootstrap + "\",")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        // A crash report may contain anything: none of it may reach a log (issue 14).
        var crash = $"panic at /home/crash-canary-{Guid.NewGuid():N}";
        using (var crashReport = await http.SendAsync(Flynn.WithProof(HttpMethod.Post, $"/v1/clusters/{cluster}/crash-reports", bootstrap,
            Json.Body(new { version = Flynn.Version, component = "scheduler", occurredAt = DateTimeOffset.UtcNow, message = crash, stack = crash }))))
        {
            Assert.Equal(HttpStatusCode.Accepted, crashReport.StatusCode);
        }

        using (var get = await http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap)))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        }

        using (var erase = await http.SendAsync(Flynn.WithProof(HttpMethod.Post, $"/v1/clusters/{cluster}/erasure", bootstrap)))
        {
            Assert.Equal(HttpStatusCode.Accepted, erase.StatusCode);
            await CompletedAsync(http, (string)(await Json.ReadAsync(erase))["receiptUrl"]!);
        }

        var records = service.Logs.GetSnapshot();
        Assert.NotEmpty(records);
        var text = string.Join('\n', records.Select(Render));
        Assert.DoesNotContain(address, text, StringComparison.Ordinal);
        Assert.DoesNotContain(cluster, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(bootstrap, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("crash-canary", text, StringComparison.Ordinal);
        Assert.DoesNotContain(cluster.Replace("-", string.Empty, StringComparison.Ordinal), text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Logs_captured_through_a_persons_whole_life_hold_no_name_email_or_user_id()
    {
        var http = service.Http;
        var person = await service.SignUpAsync(region: "us");
        var corrected = Infrastructure.People.NewName();
        var newEmail = Infrastructure.People.NewEmail("moved");
        using (var sessions = await http.PostAsync("/v1/sessions", Json.Body(new { email = person.Email })))
        using (var wrongCode = await http.PostAsync("/v1/sessions/verify", Json.Body(new { email = person.Email, code = "00000000" })))
        using (var patch = await http.SendAsync(person.Request(HttpMethod.Patch, "/v1/me", new { name = corrected, email = newEmail })))
        using (var me = await http.SendAsync(person.Request(HttpMethod.Get, "/v1/me")))
        {
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        }

        using (var erase = await service.SendEraseAsync(person, http))
        {
            Assert.Equal(HttpStatusCode.Accepted, erase.StatusCode);
            await CompletedAsync(http, (string)(await Json.ReadAsync(erase))["receiptUrl"]!);
        }

        var text = string.Join('\n', service.Logs.GetSnapshot().Select(Render));
        foreach (var value in new[] { person.Email, person.Name, person.UserId, corrected, newEmail })
        {
            Assert.DoesNotContain(value, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void A_value_classified_personal_is_erased_from_log_messages()
    {
        var collector = new FakeLogCollector();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(new FakeLoggerProvider(collector)));
        services.AddPrivacyRedaction();
        using var provider = services.BuildServiceProvider();
        var logger = provider.GetRequiredService<ILogger<LogRedactionTests>>();

        LogSignUp(logger, "someone@example.org", 42);

        var record = Assert.Single(collector.GetSnapshot());
        Assert.DoesNotContain("someone@example.org", record.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("someone@example.org", Render(record), StringComparison.Ordinal);
        Assert.Contains("42", record.Message, StringComparison.Ordinal);
    }

    private static string Render(FakeLogRecord record) => LogText.Render(record);

    private static async Task CompletedAsync(HttpClient http, string receiptUrl) => await Eventually.ReturnsAsync(
        async () =>
        {
            using var response = await http.GetAsync(receiptUrl);
            return await Json.ReadAsync(response);
        },
        json => (string?)json["status"] == "completed",
        TimeSpan.FromSeconds(30),
        "the erasure completes");

    [LoggerMessage(Level = LogLevel.Information, Message = "Sign-up from {Email} in {Attempt} attempts")]
    private static partial void LogSignUp(ILogger logger, [PersonalData] string email, int attempt);
}
