using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.PrivacyCenter;

namespace PrimeDirective.Tests.Sharing;

/// <summary>
/// The mail relay receives names, addresses and codes, so it must be a processor under contract: the officer console (page
/// and <c>GET /v1/admin/processors</c>) flags it while it is not registered or out of contract, and a person's export names it.
/// </summary>
[Collection(SharingPagesFixture.Name)]
public sealed class MailRelayTests(SharingPagesService service)
{
    [Fact]
    public async Task The_console_flags_a_relay_not_registered_or_out_of_contract_and_the_export_says_mail_passes_through_it()
    {
        var person = await service.SignUpAsync();
        var page = await service.NewOfficerPageAsync();
        await service.SignInAsync(page, service.Officer.Email);

        // Named by configuration, registered by nobody: flagged in the API view and on the page.
        var relay = await RelayAsync();
        Assert.Equal(("not-registered", service.RelayId, true), ((string?)relay["status"], (string?)relay["processorId"], (bool)relay["flagged"]!));
        var status = await ProcessorsPageStatusAsync(page);
        Assert.Equal("alert", await status.GetAttributeAsync("role"));
        await Assertions.Expect(status).ToContainTextAsync("not registered here");
        await page.AssertAccessibleAsync();
        var mail = (await service.Http.GetMeAsync(person))["mail"]!;
        Assert.Equal(service.RelayId, (string?)mail["relay"]);
        Assert.Contains("not yet recorded in our processors registry", (string)mail["statement"]!, StringComparison.Ordinal);

        // Registered under a current contract: no flag, and the export names it, its contract and what passes through it.
        await using var mailer = await LoopbackProcessor.StartAsync();
        var now = service.Clock.GetUtcNow();
        var body = Sharing.ProcessorBody(mailer, now);
        body["contract"] = new { reference = "DPA-relay", signedAt = now.AddDays(-30), expiresAt = now.AddDays(365) };
        await PutRelayAsync(body);
        relay = await RelayAsync();
        Assert.Equal(("under-contract", false), ((string?)relay["status"], (bool)relay["flagged"]!));
        status = await ProcessorsPageStatusAsync(page);
        Assert.Null(await status.GetAttributeAsync("role"));
        await Assertions.Expect(status).ToContainTextAsync("Messages pass through Mailer Ltd");
        mail = (await service.Http.GetMeAsync(person))["mail"]!;
        Assert.Equal(("Mailer Ltd", "eu"), ((string?)mail["relayName"], (string?)mail["relayLocation"]));
        Assert.Equal("DPA-relay", (string?)mail["contract"]);
        Assert.Contains("one-time codes", mail["carries"]!.AsArray().Select(item => (string?)item));
        Assert.Contains("Mailer Ltd", (string)mail["statement"]!, StringComparison.Ordinal);

        // Its contract ends: flagged again until it is renewed.
        body["contract"] = new { reference = "DPA-old", signedAt = now.AddDays(-400), expiresAt = now.AddDays(-1) };
        await PutRelayAsync(body);
        relay = await RelayAsync();
        Assert.Equal(("contract-expired", true), ((string?)relay["status"], (bool)relay["flagged"]!));
        status = await ProcessorsPageStatusAsync(page);
        Assert.Equal("alert", await status.GetAttributeAsync("role"));
        await Assertions.Expect(status).ToContainTextAsync("under a contract that ended");

        // A person's token is no officer's: the view is refused to them.
        using var asPerson = await service.Admin.SendAsync(person.Request(HttpMethod.Get, "/v1/admin/processors"));
        Assert.Equal(HttpStatusCode.Forbidden, asPerson.StatusCode);
    }

    private async Task<JsonNode> RelayAsync()
    {
        using var response = await service.Admin.SendAsync(service.Officer.Request(HttpMethod.Get, "/v1/admin/processors"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await Json.ReadAsync(response))["mailRelay"]!;
    }

    private async Task PutRelayAsync(Dictionary<string, object?> body)
    {
        using var put = await service.PutProcessorAsync(service.RelayId, body);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
    }

    private static async Task<ILocator> ProcessorsPageStatusAsync(IPage page)
    {
        await page.GotoAsync("/privacy/officer/processors");
        await Assertions.Expect(page.Heading("Processors")).ToBeVisibleAsync();
        return page.Locator("#mail-relay-status");
    }
}
