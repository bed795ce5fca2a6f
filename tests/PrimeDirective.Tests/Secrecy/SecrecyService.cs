using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using PrimeDirective.Grains.Requests;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.PrivacyCenter;

namespace PrimeDirective.Tests.Secrecy;

/// <summary>
/// The service for legal-request secrecy tests: PostgreSQL, a silo whose policy clock the tests move, an officer and a
/// gateway that knows them. Reminders that would act on a gag or a push come only every hour (Sharing:RetryPeriod and
/// ExpiryCheckPeriod), so whatever a test sees within its usual wait was not done by a reminder.
/// </summary>
public class SecrecyService : ServiceHost
{

    public SecrecyService()
    {
        Settings["Sharing:RetryPeriod"] = "01:00:00";
        Settings["Sharing:ExpiryCheckPeriod"] = "01:00:00";
        Settings["Sharing:AllowInsecureEndpoints"] = "true";
    }

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>Stops erasures before their email-index step while closed (see <see cref="ErasureGate"/>).</summary>
    public ErasureGate Gate { get; } = new();

    public Person Officer { get; private set; } = null!;

    /// <summary>A gateway whose configuration names <see cref="Officer"/>.</summary>
    public HttpClient Admin { get; private set; } = null!;

    /// <summary>The second officer, who approves <see cref="Officer"/>'s proposals (at once, through <see cref="Admin"/>).</summary>
    public SecondOfficer Second { get; private set; } = null!;

    protected override string Purpose => "secrecy";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Officer = await this.SignUpAsync();
        (Admin, Second) = await this.StartOfficerGatewayAsync(Officer.UserId);
    }

    protected override void ConfigureSilo(ISiloBuilder silo)
    {
        silo.Services.Replace(ServiceDescriptor.Singleton(new PolicyClock(Clock)));
        silo.Services.Replace(ServiceDescriptor.Singleton<IPrivacyRequestFaults>(Gate));
    }

    public Task<HttpResponseMessage> AdminAsync(HttpMethod method, string path, object? body = null) =>
        Admin.SendAsync(Officer.Request(method, path, body));

    /// <summary>Records a legal request about <paramref name="person"/> through the officer route; answers its view.</summary>
    public Task<JsonNode> ReceiveLegalRequestAsync(Person person, string reference, DateTimeOffset? gagUntil, bool placeHold = false, string authority = "Federal Agency") =>
        Sharing.LegalRequestRoutes.ReceiveAsync(Admin, Officer, person, authority, reference, gagUntil, placeHold);

    /// <summary>Decides a legal request through the officer route; answers the decision's body.</summary>
    public Task<JsonNode> DecideLegalRequestAsync(string requestId, string decision, string rationale) =>
        Sharing.LegalRequestRoutes.DecideAsync(Admin, Officer, requestId, decision, rationale);

    public async Task<JsonNode> LegalRequestAsync(string requestId)
    {
        using var response = await AdminAsync(HttpMethod.Get, $"/v1/admin/legal-requests/{requestId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Json.ReadAsync(response);
    }

    /// <summary>The person's notices about legal requests (kind <c>legal-request</c>).</summary>
    public async Task<List<JsonNode>> LegalNoticesAsync(Person person)
    {
        using var response = await Http.SendAsync(person.Request(HttpMethod.Get, "/v1/me/notifications"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await Json.ReadAsync(response)).AsArray().Where(notice => (string?)notice!["kind"] == "legal-request").Select(notice => notice!)];
    }

    /// <summary>Subjects of the messages sent to <paramref name="address"/> so far, oldest first.</summary>
    public async Task<List<string>> MailSubjectsAsync(string address) =>
        [.. (await Outbox.MessagesToAsync(address)).Select(message => message.Subject ?? string.Empty)];
}

/// <summary>The secrecy service with one headless Debian chromium, for the tests that compare pages.</summary>
public sealed class SecrecyPagesService : SecrecyService
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    protected override string Purpose => "secrecy-pages";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = PrivacyCenterService.ChromiumPath, Headless = true });
    }

    /// <summary>A fresh browser context (no cookies) on <paramref name="gateway"/>.</summary>
    public async Task<IPage> NewPageAsync(HttpClient gateway)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = gateway.BaseAddress!.ToString().TrimEnd('/'),
            AcceptDownloads = true,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        return await context.NewPageAsync();
    }

    public override async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        await base.DisposeAsync();
    }
}

/// <summary>
/// While closed, every erasure stops (throws) just before its email-index step, after its hold check: an erasure with
/// no hold stays "in progress" with no receipt, answering status reads as usual; its reminder retries it. Open, nothing happens.
/// </summary>
public sealed class ErasureGate : IPrivacyRequestFaults
{
    private volatile bool _closed;

    /// <summary>Requests stopped at the gate so far.</summary>
    public ConcurrentDictionary<string, bool> Stopped { get; } = new(StringComparer.Ordinal);

    public void Close() => _closed = true;

    public void Open() => _closed = false;

    public Task BeforeStepAsync(string requestId, string stepName)
    {
        if (_closed && stepName == "email-index")
        {
            Stopped[requestId] = true;
            throw new InvalidOperationException("The test's erasure gate is closed.");
        }

        return Task.CompletedTask;
    }

    public Task AfterStepAsync(string requestId, string stepName) => Task.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class SecrecyFixture : ICollectionFixture<SecrecyService>
{
    public const string Name = "secrecy service";
}

/// <summary>Browser tests: on two cores they run alone, after the parallel collections.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SecrecyPagesFixture : ICollectionFixture<SecrecyPagesService>
{
    public const string Name = "secrecy pages";
}
