using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using PrimeDirective.Tests.Infrastructure;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace PrimeDirective.Tests.PrivacyCenter;

/// <summary>
/// "What we hold" with a year's worth of reports: a summary per subject and category, 50 items a page, a link (or, for
/// the operator whose proof stays out of addresses, a button) per category; the JSON export keeps every item.
/// </summary>
[Collection(PrivacyCenterFixture.Name)]
public sealed class WhatWeHoldPagingTests(PrivacyCenterService service, ITestOutputHelper output)
{
    private const int Reports = 1_000;

    private const int MaxPageBytes = 200 * 1024;

    [Fact]
    public async Task A_cluster_with_1000_reports_is_summarised_and_paged_50_at_a_time_for_its_person_and_its_operator()
    {
        var (clusterId, bootstrapId) = (Flynn.NewId(), Flynn.NewId());
        await Parallel.ForEachAsync(Enumerable.Range(0, Reports), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, cancellation) =>
        {
            using var report = await service.Http.SendAsync(Flynn.SchedulerReport(clusterId, bootstrapId, hosts: i), cancellation);
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        });

        // The JSON stays complete: every report's items, in the order the pages follow.
        using var held = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{clusterId}", bootstrapId));
        held.EnsureSuccessStatusCode();
        var items = JsonNode.Parse(await held.Content.ReadAsStringAsync())!["items"]!.AsArray();
        var usage = items.Where(item => (string?)item!["category"] == "usage").Select(item => (string)item!["itemId"]!).ToList();
        Assert.Equal(Reports, usage.Count);
        Assert.Equal(Reports, items.Count(item => (string?)item!["category"] == "configuration"));

        // The person who runs it links it; their "What we hold" is small and accessible.
        var page = await service.NewPageAsync(bypassCsp: true);
        await service.SignUpAsync(page);
        await page.GotoAsync("/privacy/me/clusters");
        await page.GetByLabel("Cluster id").FillAsync(clusterId);
        await page.GetByLabel("Bootstrap id").FillAsync(bootstrapId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Link the cluster" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The cluster is linked");
        var response = (await page.GotoAsync("/privacy/me"))!;
        var bytes = (await response.BodyAsync()).Length;
        output.WriteLine($"\"What we hold\" with a cluster of {Reports} reports: {bytes:N0} bytes");
        Assert.True(bytes < MaxPageBytes, $"\"What we hold\" is {bytes:N0} bytes");
        await page.AssertAccessibleAsync();

        var summary = page.GetByRole(AriaRole.Table, new() { Name = $"Categories held about cluster {clusterId}" });
        await Expect(summary.GetByRole(AriaRole.Row, new() { Name = "usage" })).ToContainTextAsync("1,000");
        await Expect(summary.GetByRole(AriaRole.Row, new() { Name = "identifier" })).ToContainTextAsync("when erased");
        var table = page.GetByRole(AriaRole.Table, new() { Name = $"Items held about cluster {clusterId}" });
        await Expect(table.Locator("tbody tr")).ToHaveCountAsync(50);

        // A category's link, then its next page: the next 50 of that category, and nothing of another.
        await summary.GetByRole(AriaRole.Link, new() { Name = "usage", Exact = true }).ClickAsync();
        await Expect(table).ToHaveAccessibleNameAsync($"Items held about cluster {clusterId}: usage, 1–50 of 1,000 (page 1 of 20)");
        Assert.Equal(usage.Take(50), await ItemIdsAsync(table));
        await page.GetByRole(AriaRole.Navigation, new() { Name = $"Pages of items held about cluster {clusterId}" })
            .GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
        await Expect(table).ToHaveAccessibleNameAsync($"Items held about cluster {clusterId}: usage, 51–100 of 1,000 (page 2 of 20)");
        Assert.Contains("category=usage&page=2", page.Url, StringComparison.Ordinal);
        Assert.Equal(usage.Skip(50).Take(50), await ItemIdsAsync(table));
        Assert.Equal(["usage"], (await table.Locator("tbody tr td:nth-child(2)").AllInnerTextsAsync()).Distinct());
        await page.AssertAccessibleAsync();

        // The account's own section is left as it was: all its categories, first page.
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Items in your account: all categories" })).ToBeVisibleAsync();

        // A page that cannot exist is answered as such.
        Assert.Equal(404, (await page.GotoAsync("/privacy/me?subject=cluster-1&category=nonsense&page=1"))!.Status);
        Assert.Equal(404, (await page.GotoAsync("/privacy/me?subject=cluster-2&category=usage&page=1"))!.Status);
        await page.Context.CloseAsync();

        // The operator's view likewise, by form posts: the proof never enters an address.
        var operatorPage = await service.NewPageAsync(bypassCsp: true);
        await operatorPage.GotoAsync("/privacy/operator");
        await operatorPage.GetByLabel("Cluster id").FillAsync(clusterId);
        await operatorPage.GetByLabel("Bootstrap id").FillAsync(bootstrapId);
        var shown = await operatorPage.RunAndWaitForResponseAsync(
            () => operatorPage.GetByRole(AriaRole.Button, new() { Name = "Show what you hold" }).ClickAsync(),
            answer => answer.Request.Method == "POST");
        bytes = (await shown.BodyAsync()).Length;
        output.WriteLine($"The operator's view of it: {bytes:N0} bytes");
        Assert.True(bytes < MaxPageBytes, $"the operator's view is {bytes:N0} bytes");
        await operatorPage.AssertAccessibleAsync();
        var clusterTable = operatorPage.GetByRole(AriaRole.Table, new() { Name = "Items held about the cluster" });
        await operatorPage.GetByRole(AriaRole.Table, new() { Name = "Categories held about the cluster" })
            .GetByRole(AriaRole.Button, new() { Name = "usage", Exact = true }).ClickAsync();
        await Expect(clusterTable).ToHaveAccessibleNameAsync("Items held about the cluster: usage, 1–50 of 1,000 (page 1 of 20)");
        await operatorPage.GetByRole(AriaRole.Navigation, new() { Name = "Pages of items held about the cluster" })
            .GetByRole(AriaRole.Button, new() { Name = "Next page" }).ClickAsync();
        await Expect(clusterTable).ToHaveAccessibleNameAsync("Items held about the cluster: usage, 51–100 of 1,000 (page 2 of 20)");
        Assert.Equal(usage.Skip(50).Take(50), await ItemIdsAsync(clusterTable));
        Assert.DoesNotContain(bootstrapId, operatorPage.Url, StringComparison.Ordinal);
        await operatorPage.AssertAccessibleAsync();
        await operatorPage.Context.CloseAsync();
    }

    private static async Task<IReadOnlyList<string>> ItemIdsAsync(ILocator table) =>
        await table.Locator("tbody tr td:first-child").AllInnerTextsAsync();
}
