using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace PrimeDirective.Tests.PrivacyCenter;

/// <summary>axe-core on the page as it is now: no serious or critical violation.</summary>
public static class Accessibility
{
    public static async Task AssertAccessibleAsync(this IPage page)
    {
        var result = await page.RunAxe();
        var severe = result.Violations
            .Where(violation => violation.Impact is "serious" or "critical")
            .Select(violation => $"{violation.Id} ({violation.Impact}): {violation.Help} at {string.Join(", ", violation.Nodes.Select(node => node.Target?.ToString()))}")
            .ToList();
        Assert.True(severe.Count == 0, $"{page.Url}: {string.Join("; ", severe)}");
    }
}
