using System.Net;
using System.Text.Json.Nodes;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Notices;
using PrimeDirective.Tests.Requests;
using PrimeDirective.Tests.Sharing;
using static PrimeDirective.Tests.Notices.NoticeClient;

namespace PrimeDirective.Tests.Keys;

/// <summary>The notice service (fake policy clock, quick fan-outs) that also pushes to a plain-http loopback processor.</summary>
public sealed class CanaryService : NoticeService
{
    public CanaryService()
    {
        Settings["Sharing:AllowInsecureEndpoints"] = "true";
    }

    protected override string Purpose => "canary";
}

/// <summary>
/// The inventory test's journey: a distinctive canary through every route that takes personal data (each step one
/// method), remembering who and what the after-erasure checks need. <see cref="Canaries"/> maps each route to its value.
/// </summary>
internal sealed class CanaryJourney(CanaryService service, Person officer, LoopbackProcessor processor)
{
    private static readonly string[] s_records = ["third-party-record"];

    private readonly HttpClient _admin = service.Admin!;

    /// <summary>Every canary stored, by the route that stored it.</summary>
    public Dictionary<string, string> Canaries { get; } = new(StringComparer.Ordinal);

    /// <summary>The person, as they are after their email change.</summary>
    public Person Person { get; private set; } = null!;

    public Person Child { get; private set; } = null!;

    public (string Id, string Proof) Cluster { get; } = (Flynn.NewId(), Flynn.NewId());

    /// <summary>The child-removal request's answer (its id and receipt URL).</summary>
    public JsonNode ChildRemoval { get; private set; } = null!;

    /// <summary>The cluster's view through its own route, once every report is in.</summary>
    public JsonNode ClusterView { get; private set; } = null!;

    /// <summary>Runs every step, in the order a service's life would bring them.</summary>
    public async Task RunAsync()
    {
        await SignUpAsync();
        await ChangeEmailAsync();
        await ThirdPartyRecordAndPackageAsync();
        await PushToProcessorAsync();
        await ReportsAsync();
        await CrashReportAsync();
        await LegalRequestAsync();
        await BreachNoticeAsync();
        await PolicyNoticeAsync();
        await ChildRemovalAsync();
        await AnalyticsEventAsync();
        await ReadBackAsync();
    }

    /// <summary>Sign-up: the person's name and address are the canaries (People makes them unique).</summary>
    private async Task SignUpAsync()
    {
        Person = await service.SignUpAsync("eu");
        (Canaries["sign-up name"], Canaries["sign-up email"]) = (Person.Name, Person.Email);
    }

    /// <summary>An email change, confirmed by the code sent to the new address: the old and the new address are both canaries.</summary>
    private async Task ChangeEmailAsync()
    {
        var newEmail = $"{Canary("changed email")}@example.test";
        var (started, start) = await SendAsync(service.Http, Person.Request(HttpMethod.Patch, "/v1/me", new { email = newEmail }));
        Assert.Equal(HttpStatusCode.OK, started);
        Assert.Equal("code-sent", (string?)start!["emailChange"]);
        var code = await service.Outbox.NextCodeAsync(newEmail);
        var (confirmed, confirm) = await SendAsync(service.Http, Person.Request(HttpMethod.Patch, "/v1/me", new { email = newEmail, emailCode = code }));
        Assert.Equal(HttpStatusCode.OK, confirmed);
        Assert.Equal("changed", (string?)confirm!["emailChange"]);
        Person = Person with { Email = newEmail };
    }

    /// <summary>A third-party record about the person, and a disclosure of it in a package fetched by its capability URL.</summary>
    private async Task ThirdPartyRecordAndPackageAsync()
    {
        var recordValue = Canary("third-party record");
        var (recorded, record) = await SendAsync(_admin, officer.Request(HttpMethod.Post, "/v1/admin/third-party-records",
            new { userId = Person.UserId, source = "Example Cloud", kind = "provider-account-id", value = recordValue }));
        Assert.Equal(HttpStatusCode.Created, recorded);
        Assert.NotNull(record);
        var (disclosed, disclosure) = await SendAsync(_admin, officer.Request(HttpMethod.Post, "/v1/admin/disclosures", new
        {
            subject = new { userId = Person.UserId },
            recipient = "County Safety Office",
            basis = "harm-prevention",
            categories = s_records,
            rationale = "A credible threat against the person was reported to us by the source.",
            protects = "the-person",
        }));
        Assert.Equal(HttpStatusCode.Created, disclosed);
        using var package = await service.Http.GetAsync((string)disclosure!["packageUrl"]!);
        Assert.Equal(HttpStatusCode.OK, package.StatusCode);
        Assert.Contains(recordValue, await package.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>A disclosure to a registered processor: the package (the person's account data) is pushed to it and acknowledged.</summary>
    private async Task PushToProcessorAsync()
    {
        var processorId = Sharing.Sharing.NewProcessorId();
        var (registered, _) = await SendAsync(_admin, officer.Request(HttpMethod.Put, $"/v1/admin/processors/{processorId}",
            Sharing.Sharing.ProcessorBody(processor, service.Clock.GetUtcNow())));
        Assert.Equal(HttpStatusCode.OK, registered);
        var (disclosed, _) = await SendAsync(_admin, officer.Request(HttpMethod.Post, "/v1/admin/disclosures", Sharing.Sharing.ForPerson(Person, "processor", processorId)));
        Assert.Equal(HttpStatusCode.Created, disclosed);
        var pushed = await Eventually.ReturnsAsync(
            () => Task.FromResult(processor.Packages()), packages => packages.Count > 0, TimeSpan.FromSeconds(30), "the package pushed to the processor");
        Assert.Contains(Person.Email, Assert.Single(pushed).Text, StringComparison.Ordinal);
    }

    /// <summary>A Flynn report and a JSON report, each from a client address that is a canary (through the trusted proxy).</summary>
    private async Task ReportsAsync()
    {
        using (var report = await service.Http.SendAsync(Flynn.SchedulerReport(Cluster.Id, Cluster.Proof, region: "eu", forwardedFor: Address("Flynn report address"))))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        await Erasure.SendAsync(service.Http, Erasure.ForwardedJsonReport($"/eu/v1/clusters/{Cluster.Id}/reports", Cluster.Proof, Address("JSON report address")), HttpStatusCode.Accepted);
    }

    /// <summary>A crash report whose message and stack are canaries.</summary>
    private async Task CrashReportAsync()
    {
        var (message, stack) = (Canary("crash message"), Canary("crash stack"));
        var (crashed, _) = await SendAsync(service.Http, Flynn.WithProof(HttpMethod.Post, $"/v1/clusters/{Cluster.Id}/crash-reports", Cluster.Proof, Json.Body(new
        {
            version = Flynn.Version,
            component = "scheduler",
            occurredAt = Iso(DateTimeOffset.UtcNow),
            message = $"panic: {message}",
            stack = $"goroutine 1 [running]: {stack}",
        })));
        Assert.Equal(HttpStatusCode.Accepted, crashed);
    }

    /// <summary>A legal request about the person: its case reference and its subject reference (the person's user id) are canaries.</summary>
    private async Task LegalRequestAsync()
    {
        Canaries["legal-request subject (user id)"] = Person.UserId;
        var received = await LegalRequestRoutes.ReceiveAsync(_admin, officer, Person, "County Court", $"CIV-{Canary("legal-request reference")}", gagUntil: null);
        var requestId = (string)received["request"]!["requestId"]!;
        var (read, view) = await SendAsync(_admin, officer.Request(HttpMethod.Get, $"/v1/admin/legal-requests/{requestId}"));
        Assert.Equal(HttpStatusCode.OK, read);
        Assert.Contains(Canaries["legal-request reference"], view!.ToJsonString(), StringComparison.Ordinal);
    }

    /// <summary>A breach notice reaching the person (their notification and the queued email).</summary>
    private async Task BreachNoticeAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var breach = await DeclareAsync(_admin, officer, BreachTests.Breach(["eu"], s_records, now.AddHours(-1), now.AddHours(1)));
        await DoneAsync(_admin, officer, breach);
        Assert.Single(await NotificationsAsync(service.Http, Person, "breach"));
    }

    /// <summary>A substantive policy version, announced to every account: the person's notification and email (to their new address).</summary>
    private async Task PolicyNoticeAsync()
    {
        var version = new
        {
            version = "2027-01",
            effectiveAt = Iso(service.Clock.GetUtcNow().AddDays(31)),
            substantive = true,
            summary = "We now keep crash reports for a year.",
            text = "# Policy\n\nCrash reports: one year.",
        };
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(_admin, officer.Request(HttpMethod.Post, "/v1/admin/policy-versions", version))).Status);
        await Eventually.ReturnsAsync(
            async () => (await SendAsync(_admin, officer.Request(HttpMethod.Get, "/v1/admin/policy-versions/2027-01/announcement"))).Body,
            body => body is not null && (bool)body["done"]!,
            TimeSpan.FromSeconds(60),
            "the announcement's fan-out done");
        Assert.Single(await NotificationsAsync(service.Http, Person, "policy-change"));
        await Eventually.ReturnsAsync(() => EmailsAsync(service, Person, PolicyTitle), count => count > 0, TimeSpan.FromSeconds(30), "the announcement's email");
    }

    /// <summary>A child-removal request: the child's account, the parent's name and address and the statement are canaries.</summary>
    private async Task ChildRemovalAsync()
    {
        Child = await service.SignUpAsync("eu");
        (Canaries["child name"], Canaries["child email"]) = (Child.Name, Child.Email);
        var (parentEmail, parentName, statement) = ($"{Canary("parent email")}@example.test", Canary("parent name"), Canary("child-removal statement"));
        Canaries["parent email"] = parentEmail;
        using var submit = await service.Http.PostAsync("/v1/child-removal-requests", Json.Body(new { childEmail = Child.Email, parentName, parentEmail, statement }));
        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
        ChildRemoval = await Json.ReadAsync(submit);
    }

    /// <summary>An anonymous analytics event (no subject: its page path is kept as sent, see the inventory).</summary>
    private async Task AnalyticsEventAsync()
    {
        using var analytics = await service.Http.PostAsync("/v1/analytics/events", Json.Body(new { page = $"/docs/{Canary("analytics page")}" }));
        Assert.Equal(HttpStatusCode.Accepted, analytics.StatusCode);
    }

    /// <summary>Reads back through the service what the scans look for, so they look for something real (the record was, in the package).</summary>
    private async Task ReadBackAsync()
    {
        var (read, view) = await SendAsync(service.Http, Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{Cluster.Id}", Cluster.Proof));
        Assert.Equal(HttpStatusCode.OK, read);
        ClusterView = view!;
        foreach (var route in new[] { "crash message", "crash stack", "Flynn report address", "JSON report address" })
        {
            Assert.Contains(Canaries[route], ClusterView.ToJsonString(), StringComparison.Ordinal);
        }

        var me = (await service.Http.GetMeAsync(Person)).ToJsonString();
        Assert.Contains(Person.Email, me, StringComparison.Ordinal);
        Assert.Contains(Person.Name, me, StringComparison.Ordinal);
    }

    /// <summary>Erases everyone: the person, the cluster, the child (by the officer's approval, which also forgets the parent).</summary>
    public async Task EraseEveryoneAsync()
    {
        var (_, personReceipt) = await Erasure.EraseAsync(service, Person);
        await Erasure.CompletedReceiptAsync(service.Http, personReceipt, TimeSpan.FromSeconds(60));
        using (var erase = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Post, $"/v1/clusters/{Cluster.Id}/erasure", Cluster.Proof)))
        {
            Assert.Equal(HttpStatusCode.Accepted, erase.StatusCode);
            await Erasure.CompletedReceiptAsync(service.Http, (string)(await Json.ReadAsync(erase))["receiptUrl"]!, TimeSpan.FromSeconds(60));
        }

        var requestId = (string)ChildRemoval["requestId"]!;
        var (decided, _) = await SendAsync(_admin, officer.Request(HttpMethod.Post, $"/v1/admin/child-removal-requests/{requestId}/decision", new { approve = true }));
        Assert.Equal(HttpStatusCode.OK, decided);
        await Erasure.CompletedReceiptAsync(service.Http, (string)ChildRemoval["receiptUrl"]!, TimeSpan.FromSeconds(60));
    }

    private string Canary(string route) => Canaries[route] = $"cnry{Guid.NewGuid():N}";

    private string Address(string route) => Canaries[route] = Flynn.NewAddress();
}
