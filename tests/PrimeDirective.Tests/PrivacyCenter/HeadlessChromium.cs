using Microsoft.Playwright;

namespace PrimeDirective.Tests.PrivacyCenter;

/// <summary>One headless Debian chromium driven by Playwright, started with a fixture and closed with it.</summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private HeadlessChromium(IPlaywright playwright, IBrowser browser) => (_playwright, Browser) = (playwright, browser);

    /// <summary>Debian's chromium (scripts/test.sh installs it and exports its path).</summary>
    public static string ExecutablePath => Environment.GetEnvironmentVariable("PD_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public IBrowser Browser { get; }

    public static async Task<HeadlessChromium> StartAsync()
    {
        var playwright = await Playwright.CreateAsync();
        return new HeadlessChromium(playwright, await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ExecutablePath, Headless = true }));
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
    }
}
