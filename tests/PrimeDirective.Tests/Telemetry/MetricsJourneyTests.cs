using System.Diagnostics.Metrics;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Sharing;

namespace PrimeDirective.Tests.Telemetry;

/// <summary>
/// The <c>PrimeDirective</c> meter after a journey through the real gateway and silos on PostgreSQL: each count equals
/// what the journey did, a repeated choice is not a change, and no label carries an id, key, email or address.
/// </summary>
public sealed partial class MetricsJourneyTests(MetricsJourneyTests.MetricsService service) : IClassFixture<MetricsJourneyTests.MetricsService>
{
    /// <summary>Every label the meter may carry: regions and enumerations only.</summary>
    public static readonly string[] AllowedLabels = ["region", "outcome", "reason", "kind", "purpose", "state", "source", "signal", "result", "store", "basis"];

    [Fact]
    public async Task After_a_journey_reports_erasures_consents_and_signals_count_what_was_done_and_labels_carry_no_id()
    {
        using var metrics = new MetricsRecorder(service.MeterFactories());
        var (clusterId, bootstrapId) = (Flynn.NewId(), Flynn.NewId());
        const int reports = 3;
        for (var i = 0; i < reports; i++)
        {
            using var report = await service.Http.SendAsync(Flynn.SchedulerReport(clusterId, bootstrapId));
            Assert.True(report.IsSuccessStatusCode, $"report {i}: {report.StatusCode}");
        }

        // Toggles: granted, withdrawn, granted; the repeated grant changes nothing and must not count.
        var person = await service.SignUpAsync();
        foreach (var granted in new[] { true, false, true, true })
        {
            using var toggle = await service.Http.SendAsync(person.Request(HttpMethod.Put, "/v1/me/consents/analytics", new { granted }));
            Assert.Equal(HttpStatusCode.OK, toggle.StatusCode);
        }

        using (var tracked = new HttpRequestMessage(HttpMethod.Post, "/v1/analytics/events") { Content = Json.Body(new { page = "/pricing" }) })
        {
            tracked.Headers.TryAddWithoutValidation("DNT", "1");
            using var answer = await service.Http.SendAsync(tracked);
            Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        }

        using var erase = await service.SendEraseAsync(person);
        Assert.Equal(HttpStatusCode.Accepted, erase.StatusCode);
        await service.ReceiptWhenAsync((string)(await Json.ReadAsync(erase))["receiptUrl"]!, "completed");

        Assert.Equal(reports, metrics.Sum("prime_directive.reports.accepted", ("outcome", "stored"), ("region", "eu")));
        Assert.Equal(0, metrics.Sum("prime_directive.reports.accepted", ("outcome", "duplicate")));
        Assert.Equal(0, metrics.Sum("prime_directive.reports.discarded"));
        Assert.Equal(3, metrics.Sum("prime_directive.consent.changes", ("purpose", "analytics"), ("source", "person")));
        Assert.Equal(2, metrics.Sum("prime_directive.consent.changes", ("purpose", "analytics"), ("state", "granted")));
        Assert.Equal(1, metrics.Sum("prime_directive.consent.changes", ("purpose", "analytics"), ("state", "withdrawn")));
        Assert.Equal(1, metrics.Sum("prime_directive.tracking.signals_honoured", ("signal", "dnt")));
        Assert.Equal(1, metrics.Sum("prime_directive.erasures.started", ("kind", "erasure")));
        Assert.Equal(1, metrics.Sum("prime_directive.erasures.completed", ("kind", "erasure")));
        Assert.Equal(1, metrics.Count("prime_directive.erasure.duration", ("kind", "erasure")));
        Assert.True(metrics.Sum("prime_directive.keys.fences", ("kind", "subject")) >= 1, "the person's key was fenced");

        metrics.Observe();
        Assert.Contains(metrics.Measurements, measurement => measurement.Instrument == "prime_directive.keys.cache.lookups");
        AssertNoIdentifierIn(metrics.Measurements, clusterId, bootstrapId, person.UserId, person.Email, person.Name);
    }

    [Fact]
    public async Task Every_alert_and_dashboard_expression_names_a_metric_the_service_exports_and_every_instrument_is_documented()
    {
        using var metrics = new MetricsRecorder(service.MeterFactories());
        service.CreateEveryMetricsClass();
        var exported = metrics.Instruments.Values.SelectMany(PrometheusNames.Of).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("prime_directive_erasure_duration_seconds_count", exported);
        Assert.Contains("prime_directive_reports_accepted_total", exported);
        Assert.Contains("prime_directive_retention_overdue_oldest_age_seconds", exported);

        // The real exporter names what was recorded exactly so: a scrape of the running silo and gateway after a report
        // and a DNT event shows only names derived above (a wrong unit or suffix rule would show another name).
        using (var report = await service.Http.SendAsync(Flynn.SchedulerReport(Flynn.NewId(), Flynn.NewId())))
        {
            Assert.True(report.IsSuccessStatusCode);
        }

        using (var tracked = new HttpRequestMessage(HttpMethod.Post, "/v1/analytics/events") { Content = Json.Body(new { page = "/pricing" }) })
        {
            tracked.Headers.TryAddWithoutValidation("DNT", "1");
            using var answer = await service.Http.SendAsync(tracked);
            Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        }

        var scraped = (await ScrapedNamesAsync(service.SiloManagement, "prime_directive_reports_accepted_total"))
            .Concat(await ScrapedNamesAsync(service.GatewayManagement, "prime_directive_tracking_signals_honoured_total"))
            .Where(name => name.StartsWith("prime_directive_", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Contains("prime_directive_keystore_duration_seconds_bucket", scraped);
        Assert.Contains("prime_directive_retention_overdue_oldest_age_seconds", scraped);
        Assert.All(scraped, name => Assert.Contains(name, exported));

        var alerts = MonitoringFiles.Alerts();
        Assert.Equal(["ErasurePending", "NoticeFanoutStalled", "OutboxStuck", "PrivacyItemsOverdue"], alerts.Select(alert => alert.Alert).Order(StringComparer.Ordinal));
        var expressions = alerts.Select(alert => alert.Expr).Concat(MonitoringFiles.DashboardExpressions()).ToList();
        Assert.All(expressions, expr =>
        {
            var names = MonitoringFiles.MetricsIn(expr);
            Assert.NotEmpty(names);
            Assert.All(names, name => Assert.True(exported.Contains(name), $"'{name}' in '{expr}' is not a metric the service exports"));
        });

        // Each runbook link names a heading of docs/operations.md; each instrument is documented there with its unit.
        var operations = File.ReadAllText(Path.Combine(RepositoryPaths.Root(), "docs", "operations.md"));
        var anchors = Headings().Matches(operations).Select(match => Anchor(match.Groups[1].Value)).ToHashSet(StringComparer.Ordinal);
        Assert.All(alerts, alert =>
        {
            Assert.NotNull(alert.Runbook);
            Assert.StartsWith("docs/operations.md#", alert.Runbook, StringComparison.Ordinal);
            Assert.Contains(alert.Runbook["docs/operations.md#".Length..], anchors);
        });
        Assert.All(metrics.Instruments.Values, instrument =>
            Assert.Contains($"| `{instrument.Name}` | `{instrument.Unit}` |", operations, StringComparison.Ordinal));
    }

    /// <summary>The series names of a Prometheus scrape of <paramref name="management"/>, once it shows <paramref name="expected"/>.</summary>
    private static async Task<HashSet<string>> ScrapedNamesAsync(Uri management, string expected)
    {
        using var http = new HttpClient { BaseAddress = management };
        var text = await Eventually.ReturnsAsync(
            async () =>
            {
                using var response = await http.GetAsync("/metrics");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return await response.Content.ReadAsStringAsync();
            },
            scrape => scrape.Contains(expected + "{", StringComparison.Ordinal) || scrape.Contains(expected + " ", StringComparison.Ordinal),
            TimeSpan.FromSeconds(90),
            $"the scrape of {management} shows {expected}");
        return [.. text.Split('\n').Where(line => line.Length > 0 && line[0] != '#').Select(line => line[..line.IndexOfAny(['{', ' '])])];
    }

    /// <summary>GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens.</summary>
    private static string Anchor(string heading) =>
        string.Concat(heading.Trim().ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_')).Replace(' ', '-');

    [GeneratedRegex(@"(?m)^#{1,6}\s+(.+)$")]
    private static partial Regex Headings();

    /// <summary>Every label is an allowed one, and its value a region or an enumeration word: never an id, key, email or address.</summary>
    internal static void AssertNoIdentifierIn(IEnumerable<RecordedMeasurement> measurements, params string[] identifiers)
    {
        var all = measurements.ToList();
        Assert.NotEmpty(all);
        foreach (var measurement in all)
        {
            Assert.All(measurement.Labels, label =>
            {
                Assert.Contains(label.Key, AllowedLabels);
                Assert.NotNull(label.Value);
                Assert.Matches(Word(), label.Value);
                Assert.DoesNotContain(identifiers, identifier => label.Value!.Contains(identifier, StringComparison.OrdinalIgnoreCase));
            });
        }
    }

    [GeneratedRegex("^[a-z][a-z_-]{0,30}$")]
    private static partial Regex Word();

    /// <summary>A service of this class's own: no other test's background work adds to its counts.</summary>
    public sealed class MetricsService : ServiceHost
    {
        /// <summary>The management listener of the service's silo (its <c>/metrics</c>).</summary>
        public Uri SiloManagement { get; } = new($"http://127.0.0.1:{FreePort.Next()}");

        /// <summary>The management listener of the service's gateway (its <c>/metrics</c>).</summary>
        public Uri GatewayManagement { get; } = new($"http://127.0.0.1:{FreePort.Next()}");

        protected override string Purpose => "metrics";

        public override Task InitializeAsync()
        {
            // The gateway reads it from the shared settings; the silo gets its own port below.
            Settings["Management:Urls"] = GatewayManagement.ToString().TrimEnd('/');
            return base.InitializeAsync();
        }

        protected override Task StartSilosAsync() =>
            StartSiloAsync(overrides: new Dictionary<string, string?> { ["Management:Urls"] = SiloManagement.ToString().TrimEnd('/') });

        /// <summary>
        /// Resolves every metrics class (each type named <c>*Metrics</c> of the grains and the gateway) from the silos and
        /// gateways that register it, so each instrument exists before a first event records into it.
        /// </summary>
        public void CreateEveryMetricsClass()
        {
            var types = new[] { typeof(global::PrimeDirective.Grains.Hosting.PrimeDirectiveMeter).Assembly, typeof(global::PrimeDirective.Gateway.Tracking.TrackingEndpoints).Assembly }
                .SelectMany(assembly => assembly.GetTypes())
                .Where(type => type.IsClass && !type.IsAbstract && type.Name.EndsWith("Metrics", StringComparison.Ordinal) && type != typeof(global::PrimeDirective.Grains.Hosting.MetricsOptions))
                .ToList();
            var providers = Silos.Select(silo => silo.Services).Concat(Gateways.Select(gateway => gateway.Services)).ToList();
            Assert.All(types, type => Assert.Contains(providers, provider => provider.GetService(type) is not null));
        }

        /// <summary>The meter factory of every silo and gateway of the service.</summary>
        public IEnumerable<IMeterFactory> MeterFactories() =>
            [.. Silos.Select(silo => silo.Services.GetRequiredService<IMeterFactory>()), .. Gateways.Select(gateway => gateway.Services.GetRequiredService<IMeterFactory>())];
    }
}
