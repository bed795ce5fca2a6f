using System.Net;
using Microsoft.Playwright;
using PrimeDirective.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace PrimeDirective.Tests.PrivacyCenter;

/// <summary>A cluster operator's journey: proof by cluster id and bootstrap id, everything held, telemetry off with purge, erasure, a new bootstrap id.</summary>
[Collection(PrivacyCenterFixture.Name)]
public sealed class OperatorJourneyTests(PrivacyCenterService service)
{
    [Fact]
    public async Task Operator_sees_everything_turns_telemetry_off_with_purge_and_erases_with_a_receipt()
    {
        var (clusterId, bootstrapId) = (Flynn.NewId(), Flynn.NewId());
        await ReportAsync(clusterId, bootstrapId, hosts: 3);
        var page = await service.NewPageAsync();
        var main = page.Locator("main");

        // A wrong proof reads like an unknown cluster, and shows nothing of it.
        await page.GotoAsync("/privacy/operator");
        await page.GetByLabel("Cluster id").FillAsync(clusterId);
        await page.GetByLabel("Bootstrap id").FillAsync(Flynn.NewId());
        await page.GetByRole(AriaRole.Button, new() { Name = "Show what you hold" }).ClickAsync();
        await Expect(page.Locator("#clusterId-error")).ToContainTextAsync("We hold nothing");
        await Expect(main).Not.ToContainTextAsync("hosts = 3");

        await page.GetByLabel("Cluster id").FillAsync(clusterId);
        await page.GetByLabel("Bootstrap id").FillAsync(bootstrapId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show what you hold" }).ClickAsync();
        var items = page.GetByRole(AriaRole.Table, new() { Name = "Items held about the cluster" });
        await Expect(items).ToContainTextAsync("hosts = 3");
        await Expect(items).ToContainTextAsync("ip-address");
        Assert.DoesNotContain(bootstrapId, page.Url, StringComparison.Ordinal);

        // Telemetry off, purging what is held: the reports' items go, later reports are acknowledged and discarded.
        await page.GetByLabel("Also destroy the reports already held").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn telemetry off" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Telemetry is off, and the reports we held are destroyed.");
        await Expect(main).ToContainTextAsync("off: reports are acknowledged and discarded");
        await Expect(items).Not.ToContainTextAsync("hosts = 3");
        await Expect(items).Not.ToContainTextAsync("ip-address");
        await ReportAsync(clusterId, bootstrapId, hosts: 7);
        await page.ReloadAsync(); // re-posts the form (the proof stays out of the address)
        await Expect(main).ToContainTextAsync("off: reports are acknowledged and discarded");
        await Expect(items).Not.ToContainTextAsync("hosts = 7");

        // With nothing else held, the ids themselves went: only a hash of the proof stays, and the page says so.
        await Expect(items).Not.ToContainTextAsync("identifier");
        await Expect(main).ToContainTextAsync("the cluster id and the bootstrap id were destroyed");
        await Expect(main).ToContainTextAsync(clusterId);

        // Erasure: a confirmation first, then the receipt at its capability URL.
        await page.GetByRole(AriaRole.Button, new() { Name = "Erase the cluster's data" }).ClickAsync();
        await Expect(page.Locator("#confirm-error")).ToHaveTextAsync("Tick the box to confirm; nothing was erased.");
        await page.GetByLabel("I understand: erase everything about this cluster").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Erase the cluster's data" }).ClickAsync();
        await Expect(page.Heading("Privacy request")).ToBeVisibleAsync();
        var receiptUrl = page.Url;
        Assert.Matches(@"/privacy/requests/[^/?]+\?capability=", receiptUrl);
        await Eventually.ReturnsAsync(
            async () =>
            {
                await page.GotoAsync(receiptUrl);
                return await main.InnerTextAsync();
            },
            text => text.Contains("completed", StringComparison.Ordinal) && text.Contains("Erased: cluster", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), "the cluster's erasure completes with a receipt");
        await Expect(main).Not.ToContainTextAsync(clusterId);

        // Afterwards the cluster is unknown: the same answer as a wrong proof.
        using var gone = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{clusterId}", bootstrapId));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Operator_replaces_the_bootstrap_id_and_only_the_new_one_opens_the_page()
    {
        var (clusterId, old) = (Flynn.NewId(), Flynn.NewId());
        var fresh = Flynn.NewId();
        await ReportAsync(clusterId, old, hosts: 2);
        var page = await service.NewPageAsync();
        await ShowAsync(page, clusterId, old);

        // A new id that is not a bootstrap id: refused at the field, nothing changed.
        await page.GetByLabel("New bootstrap id").FillAsync("not-a-uuid");
        var response = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Set the new bootstrap id" }).ClickAsync(),
            answer => answer.Request.Method == "POST" && answer.Url.Contains("/privacy/operator", StringComparison.Ordinal));
        Assert.Equal(422, response.Status);
        await Expect(page.Locator("#newBootstrapId-error")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("New bootstrap id")).ToHaveAttributeAsync("aria-invalid", "true");
        await page.AssertAccessibleAsync();
        using (var unchanged = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{clusterId}", old)))
        {
            Assert.Equal(HttpStatusCode.OK, unchanged.StatusCode);
        }

        // A good one is set; the page tells the operator what to do on the cluster and keeps working with the new proof.
        await page.GetByLabel("New bootstrap id").FillAsync(fresh);
        await page.GetByRole(AriaRole.Button, new() { Name = "Set the new bootstrap id" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("set TELEMETRY_BOOTSTRAP_ID to it on your cluster");
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Items held about the cluster" })).ToContainTextAsync(fresh);
        Assert.DoesNotContain(fresh, page.Url, StringComparison.Ordinal);
        await page.AssertAccessibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn telemetry off" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Telemetry is off: later reports are acknowledged and discarded.");

        // The old id no longer opens the page; the new one does.
        await page.GotoAsync("/privacy/operator");
        await ShowAsync(page, clusterId, old, expectFound: false);
        await ShowAsync(page, clusterId, fresh);
        await page.Context.CloseAsync();
    }

    private static async Task ShowAsync(IPage page, string clusterId, string bootstrapId, bool expectFound = true)
    {
        if (page.Url.EndsWith("about:blank", StringComparison.Ordinal) || !page.Url.Contains("/privacy/operator", StringComparison.Ordinal))
        {
            await page.GotoAsync("/privacy/operator");
        }

        await page.GetByLabel("Cluster id").FillAsync(clusterId);
        await page.GetByLabel("Bootstrap id", new() { Exact = true }).FillAsync(bootstrapId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show what you hold" }).ClickAsync();
        if (expectFound)
        {
            await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Items held about the cluster" })).ToContainTextAsync("hosts = 2");
        }
        else
        {
            await Expect(page.Locator("#clusterId-error")).ToContainTextAsync("We hold nothing");
        }
    }

    private async Task ReportAsync(string clusterId, string bootstrapId, int hosts)
    {
        using var report = await service.Http.SendAsync(Flynn.SchedulerReport(clusterId, bootstrapId, hosts: hosts));
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
    }
}
