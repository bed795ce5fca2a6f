using Microsoft.Playwright;
using PrimeDirective.Tests.PrivacyCenter;

namespace PrimeDirective.Tests.Sharing;

/// <summary>
/// The sharing service for the officer console's sharing pages: one headless chromium, and a mail relay named in the
/// silos' configuration (<c>Outbox:RelayProcessorId</c>, fresh per fixture, registered by no one until a test does).
/// </summary>
public sealed class SharingPagesService : SharingService
{
    private readonly OfficerBrowser _browser = new();

    public SharingPagesService() => Settings["Outbox:RelayProcessorId"] = RelayId;

    public string RelayId { get; } = $"relay-{Guid.NewGuid():N}";

    protected override string Purpose => "sharing_pages";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await _browser.StartAsync();
    }

    /// <summary>A fresh browser context on the officers' gateway.</summary>
    public Task<IPage> NewOfficerPageAsync() => _browser.NewPageAsync(Admin.BaseAddress!);

    public override async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        await base.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SharingPagesFixture : ICollectionFixture<SharingPagesService>
{
    public const string Name = "sharing pages service";
}
