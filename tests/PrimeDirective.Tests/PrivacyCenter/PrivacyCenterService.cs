using Microsoft.Playwright;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.PrivacyCenter;

/// <summary>
/// The service (real silo, PostgreSQL, gateway on Kestrel) and one headless Debian chromium, shared by the Privacy Center's
/// browser tests. Each test gets its own browser context (its own cookies) and fresh people and clusters.
/// </summary>
public sealed class PrivacyCenterService : ServiceHost
{
    private HeadlessChromium? _chromium;

    /// <summary>Debian's chromium (scripts/test.sh installs it and exports its path).</summary>
    public static string ChromiumPath => HeadlessChromium.ExecutablePath;

    public IBrowser Browser => _chromium!.Browser;

    protected override string Purpose => "privacy";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _chromium = await HeadlessChromium.StartAsync();
    }

    /// <summary>A fresh browser context (no cookies) on the gateway at <paramref name="baseAddress"/> (default: the first gateway).</summary>
    /// <param name="baseAddress">The gateway; default the first.</param>
    /// <param name="bypassCsp">Only for axe, whose checks are injected as script: the pages themselves allow none.</param>
    public async Task<IPage> NewPageAsync(Uri? baseAddress = null, bool bypassCsp = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BypassCSP = bypassCsp,
            BaseURL = (baseAddress ?? Http.BaseAddress!).ToString().TrimEnd('/'),
            AcceptDownloads = true,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        return await context.NewPageAsync();
    }

    /// <summary>
    /// Takes the "What we hold" page as docs/privacy-center.md shows it; with <c>PD_UPDATE_SCREENSHOT=1</c> it replaces
    /// docs/privacy-center-what-we-hold.png (the ids change every run, so an ordinary run leaves the committed one alone).
    /// The personal values are the test's own made-up ones.
    /// </summary>
    public static async Task ScreenshotWhatWeHoldAsync(IPage page)
    {
        var shot = await page.ScreenshotAsync(new PageScreenshotOptions { FullPage = true });
        Assert.NotEmpty(shot);
        var repository = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        var docs = Path.Combine(repository, "docs");
        if (Environment.GetEnvironmentVariable("PD_UPDATE_SCREENSHOT") == "1" && Directory.Exists(docs))
        {
            await File.WriteAllBytesAsync(Path.Combine(docs, "privacy-center-what-we-hold.png"), shot);
        }
    }

    public override async Task DisposeAsync()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class PrivacyCenterFixture : ICollectionFixture<PrivacyCenterService>
{
    public const string Name = "privacy center";
}
