using System.Net;
using Microsoft.Playwright;
using PrimeDirective.Grains.Tests.OpenDsr;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.PrivacyCenter;

namespace PrimeDirective.Tests.OpenDsr;

/// <summary>The OpenDSR service with one headless chromium, for the officer's controllers page and the person's confirmation page.</summary>
public sealed class OpenDsrPagesService : OpenDsrService
{
    private readonly OfficerBrowser _browser = new();

    protected override string Purpose => "opendsr_pages";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await _browser.StartAsync();
    }

    /// <summary>A fresh browser context on the officers' gateway.</summary>
    public Task<IPage> NewPageAsync() => _browser.NewPageAsync(Admin.BaseAddress!);

    public override async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        await base.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class OpenDsrPagesFixture : ICollectionFixture<OpenDsrPagesService>
{
    public const string Name = "opendsr pages service";
}

/// <summary>An officer registers a controller on the console (a self-signed certificate refused), and a person confirms its request on the Privacy Center.</summary>
[Collection(OpenDsrPagesFixture.Name)]
public sealed class OpenDsrPagesTests(OpenDsrPagesService service)
{
    [Fact]
    public async Task An_officer_registers_a_controller_on_the_console_and_the_person_confirms_its_request_on_the_privacy_center()
    {
        await using var controller = await SpecController.StartAsync(service.Authority);
        var page = await service.NewPageAsync();
        await service.SignInAsync(page, service.Officer.Email);

        // A self-signed certificate is refused on the page as by the route, and nothing is saved.
        await FillAsync(page, controller, OpenDsrAuthority.SelfSigned(controller.Domain).CertificatePem);
        await Assertions.Expect(page.Locator("#certificate-error")).ToContainTextAsync("self-signed");
        using (var absent = await service.Admin.SendAsync(service.Officer.Request(HttpMethod.Get, $"/v1/admin/opendsr-controllers/{controller.ControllerId}")))
        {
            Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
        }

        await FillAsync(page, controller, controller.Certificate.CertificatePem);
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Saved controller {controller.ControllerId}.");
        await Assertions.Expect(page.GetByRole(AriaRole.Table)).ToContainTextAsync(controller.Domain);
        await page.AssertAccessibleAsync();

        // The registered controller's request reaches the person, who confirms it with the emailed code.
        var person = await service.SignUpAsync();
        var id = SpecController.NewRequestId();
        using (var created = await service.Http.SendAsync(controller.Request(HttpMethod.Post, "/opendsr/v2/requests", controller.RequestBody(id, person.Email))))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var code = await service.Outbox.NextCodeAsync(person.Email, 1);
        var personPage = await service.NewPageAsync();
        await personPage.GotoAsync($"/privacy/opendsr?controller={controller.ControllerId}&request={id}");
        await personPage.AssertAccessibleAsync();
        await personPage.GetByLabel("Your email address").FillAsync(person.Email);
        await personPage.GetByLabel("The 8-digit code we sent you").FillAsync(code);
        await personPage.GetByRole(AriaRole.Button, new() { Name = "Erase my account" }).ClickAsync();
        await Assertions.Expect(personPage.GetByRole(AriaRole.Status)).ToContainTextAsync("The erasure of your account has started");
        await personPage.GetByRole(AriaRole.Link, new() { Name = "follow it on its receipt" }).ClickAsync();
        await Assertions.Expect(personPage.Locator("h1")).ToBeVisibleAsync();
        Assert.Contains("/privacy/requests/", personPage.Url, StringComparison.Ordinal);
    }

    private static async Task FillAsync(IPage page, SpecController controller, string certificatePem)
    {
        await page.GotoAsync("/privacy/officer/opendsr-controllers");
        await page.GetByLabel("Controller id").FillAsync(controller.ControllerId);
        await page.GetByLabel("Controller name").FillAsync("Example Controller Ltd");
        await page.GetByLabel("OpenDSR domain").FillAsync(controller.Domain);
        await page.GetByLabel("Certificate (PEM, its chain after it)").FillAsync(certificatePem);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the controller" }).ClickAsync();
    }
}
