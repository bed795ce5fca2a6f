using Microsoft.Playwright;

namespace PrimeDirective.Tests.PrivacyCenter;

/// <summary>
/// A fixture's one headless chromium for the officer console's pages, started after the fixture's service and closed
/// before it: each page gets a fresh context (its own cookies) on the officers' gateway.
/// </summary>
public sealed class OfficerBrowser : IAsyncDisposable
{
    private HeadlessChromium? _chromium;

    public IBrowser Browser => (_chromium ?? throw new InvalidOperationException("The browser starts with its fixture.")).Browser;

    public async Task StartAsync() => _chromium = await HeadlessChromium.StartAsync();

    /// <summary>A fresh browser context on the gateway at <paramref name="officersGateway"/> (axe injects its checks as script, so CSP is bypassed).</summary>
    public async Task<IPage> NewPageAsync(Uri officersGateway)
    {
        ArgumentNullException.ThrowIfNull(officersGateway);
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = officersGateway.ToString().TrimEnd('/'), BypassCSP = true });
        return await context.NewPageAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }
    }
}
