using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using PrimeDirective.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace PrimeDirective.Tests.PrivacyCenter;

/// <summary>A person's journey through the Privacy Center in a real browser, against the real service, through the pages only.</summary>
[Collection(PrivacyCenterFixture.Name)]
public sealed class PersonJourneyTests(PrivacyCenterService service)
{
    [Fact]
    public async Task Sign_up_see_everything_correct_withdraw_export_erase_and_read_the_receipt()
    {
        var page = await service.NewPageAsync();
        var (email, name) = await service.SignUpAsync(page);
        var main = page.Locator("main");

        // A cluster the person runs reports, and they link it: its data shows with theirs.
        var (clusterId, bootstrapId) = (Flynn.NewId(), Flynn.NewId());
        using (var report = await service.Http.SendAsync(Flynn.SchedulerReport(clusterId, bootstrapId)))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        await page.Nav("My clusters").ClickAsync();
        await page.GetByLabel("Cluster id").FillAsync(clusterId);
        await page.GetByLabel("Bootstrap id").FillAsync(bootstrapId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Link the cluster" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The cluster is linked");

        // What we hold: every item with category, source, purpose, collected and destroyed-at; the cluster's too.
        await page.Nav("What we hold").ClickAsync();
        await Expect(page.Heading("What we hold about you")).ToBeVisibleAsync();
        await Expect(main).ToContainTextAsync(email);
        await Expect(main).ToContainTextAsync(name);
        var account = page.GetByRole(AriaRole.Table, new() { Name = "Items in your account" });
        await Expect(account.GetByRole(AriaRole.Columnheader)).ToHaveTextAsync(["Item", "Category", "Source", "Purpose", "Collected", "Destroyed at", "Personal", "Value", "At rest"]);
        await Expect(account).ToContainTextAsync("direct");
        await Expect(account).ToContainTextAsync("service-provision");
        var cluster = page.GetByRole(AriaRole.Table, new() { Name = $"Items held about cluster {clusterId}" });
        await Expect(cluster).ToContainTextAsync("ip-address");
        await Expect(cluster).ToContainTextAsync("usage-statistics");
        await Expect(cluster).ToContainTextAsync("hosts = 3");
        await Expect(cluster).ToContainTextAsync("identifier");
        await PrivacyCenterService.ScreenshotWhatWeHoldAsync(page);

        // Correct the name.
        var corrected = Infrastructure.People.NewName();
        await page.Nav("Correct my data").ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(corrected);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save name" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Your name is corrected.");
        await Expect(page.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync(corrected);

        // Withdraw consent to usage statistics (on by default); the history records it under the policy version.
        await page.Nav("Consents").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Withdraw consent to usage-statistics" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Consent to usage-statistics withdrawn.");
        var history = page.GetByRole(AriaRole.Table, new() { Name = "Every grant and withdrawal" });
        await Expect(history.GetByRole(AriaRole.Row)).ToHaveCountAsync(2);
        await Expect(history).ToContainTextAsync("withdrawn");
        await Expect(history).ToContainTextAsync("2016-09-22");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Grant consent to usage-statistics" })).ToBeVisibleAsync();

        // Download the export and read the file: the corrected name, the withdrawal, the cluster's items.
        await page.Nav("What we hold").ClickAsync();
        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByRole(AriaRole.Link, new() { Name = "Download everything (JSON)" }).ClickAsync());
        Assert.Equal("prime-directive-my-data.json", download.SuggestedFilename);
        var export = JsonNode.Parse(await File.ReadAllTextAsync((await download.PathAsync())!))!;
        Assert.Equal(corrected, (string?)export["account"]!["profile"]!["name"]);
        Assert.Equal(email, (string?)export["account"]!["profile"]!["email"]);
        Assert.Contains(export["account"]!["consentHistory"]!.AsArray(), entry => (string?)entry!["purpose"] == "usage-statistics" && (bool?)entry["granted"] == false);
        var linked = Assert.Single(export["clusters"]!.AsArray())!;
        Assert.Equal(clusterId, (string?)linked["clusterId"]);
        Assert.Contains(linked["data"]!["items"]!.AsArray(), item => (string?)item!["category"] == "ip-address" && item["expiresAt"] is not null);
        Assert.DoesNotContain(name, export.ToJsonString(), StringComparison.Ordinal);

        // Erase: a code sent to the address and a confirmation first (without them nothing happens), then the receipt at its capability URL.
        await page.Nav("Erase everything").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Erase everything" }).ClickAsync();
        await Expect(page.Locator("#confirm-error")).ToHaveTextAsync("Tick the box to confirm; nothing was erased.");
        await Expect(page.Locator("#code-error")).ToHaveTextAsync("Enter the code we sent to your address (ask for one above); nothing was erased.");
        await Expect(page.GetByLabel("I understand: erase my account and all my data")).ToHaveAttributeAsync("aria-describedby", "confirm-error");
        await Expect(page.GetByLabel("The 8-digit code we sent you")).ToHaveAttributeAsync("aria-describedby", "code-error");

        // Ticked, but with a code never sent: refused, nothing erased.
        await page.GetByLabel("The 8-digit code we sent you").FillAsync("00000000");
        await page.GetByLabel("I understand: erase my account and all my data").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Erase everything" }).ClickAsync();
        await Expect(page.Locator("#code-error")).ToHaveTextAsync("The code is wrong, expired or used up; nothing was erased. Ask for a new one above.");
        await page.GotoAsync("/privacy/me");
        await Expect(page.Heading("What we hold about you")).ToBeVisibleAsync();

        await service.EraseOnPageAsync(page, email);
        Assert.Matches(@"/privacy/requests/[^/?]+\?capability=", page.Url);
        var receiptUrl = page.Url;
        await Eventually.ReturnsAsync(
            async () =>
            {
                await page.GotoAsync(receiptUrl);
                return await main.InnerTextAsync();
            },
            text => text.Contains("completed", StringComparison.Ordinal) && text.Contains("cluster", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), "the erasure completes and its receipt lists the account and the linked cluster");
        await Expect(main).ToContainTextAsync("ip-address");
        await Expect(main).Not.ToContainTextAsync(email);

        // The signed receipt downloads as receipt.json and verifies, offline, against the keys the service publishes.
        var signed = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByRole(AriaRole.Link, new() { Name = "Download the signed receipt (receipt.json)" }).ClickAsync());
        Assert.Equal("receipt.json", signed.SuggestedFilename);
        var keysPath = Path.Combine(Path.GetTempPath(), $"pd-keys-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(keysPath, await service.Http.GetStringAsync("/.well-known/prime-directive/keys.json"));
        using var verdict = new StringWriter();
        var exit = PrimeDirective.Verify.Verifier.Run(["verify", (await signed.PathAsync())!, "--keys", keysPath], verdict);
        File.Delete(keysPath);
        Assert.Equal(PrimeDirective.Verify.Verifier.Verified, exit);
        Assert.Contains($"request {new Uri(receiptUrl).AbsolutePath.Split('/')[^1]}", verdict.ToString(), StringComparison.Ordinal);
        var signedPayload = (string)JsonNode.Parse(await File.ReadAllTextAsync((await signed.PathAsync())!))!["payload"]!;
        Assert.DoesNotContain(email, System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(signedPayload)), StringComparison.Ordinal);

        // The session ended with the erasure: the pages send the visitor to sign in, and the address is free again.
        await page.GotoAsync("/privacy/me");
        await Expect(page.Heading("Sign in")).ToBeVisibleAsync();
        Assert.DoesNotContain(await page.Context.CookiesAsync(), cookie => cookie.Name == "pd_session");
        await page.Context.CloseAsync();
    }
}
