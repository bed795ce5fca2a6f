using Microsoft.Playwright;
using PrimeDirective.Tests.PrivacyCenter;

namespace PrimeDirective.Tests.Sharing;

/// <summary>
/// The sharing service for the officer console's sharing pages: one headless chromium, and a mail relay named in the
/// silos' configuration (<c>Outbox:RelayProcessorId</c>, fresh per fixture, registered by no one until a test does).
/// </summary>
public sealed class SharingPagesService : SharingService
{
    private HeadlessChromium? _chromium;

    public SharingPagesService() => Settings["Outbox:RelayProcessorId"] = RelayId;

    public string RelayId { get; } = $"relay-{Guid.NewGuid():N}";

    public IBrowser Browser => _chromium!.Browser;

    protected override string Purpose => "sharing_pages";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _chromium = await HeadlessChromium.StartAsync();
    }

    /// <summary>A fresh browser context on the officers' gateway (axe injects its checks as script, so CSP is bypassed).</summary>
    public async Task<IPage> NewOfficerPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Admin.BaseAddress!.ToString().TrimEnd('/'), BypassCSP = true });
        return await context.NewPageAsync();
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
public sealed class SharingPagesFixture : ICollectionFixture<SharingPagesService>
{
    public const string Name = "sharing pages service";
}
