using System.Net;
using PrimeDirective.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PrimeDirective.Tests.Durability;

/// <summary>
/// A rolling upgrade (docs/operations.md): a silo process of the previous release (<see cref="PreviousRelease.Commit"/>,
/// built from git) and a silo process of this one share one cluster database, one key store and one membership table.
/// Subjects (clusters and people) are written through the gateway under either release, each alone and both together;
/// every subject is then served by whichever silo hosts it: this release alone, the previous one alone after this one
/// wrote (the rollback), and this one again. Nothing acknowledged is lost, and no report is stored twice.
/// </summary>
public sealed class RollingUpgradeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromMinutes(2);

    /// <summary><c>SiloStatus.Active</c> in the membership table.</summary>
    private const int ActiveStatus = 3;

    [Fact]
    public async Task A_silo_of_the_previous_release_and_one_of_this_release_on_one_database_both_serve_every_subject()
    {
        await using var service = await ServiceHost.StartOwnedAsync<UpgradeService>();
        var (clusters, people) = (new List<ClusterSubject>(), new List<PersonSubject>());
        try
        {
            // The previous release alone (it made the schema): its subjects.
            Assert.Equal(new[] { service.Previous!.SiloPort }, await ActiveSiloPortsAsync(service));
            await WriteAsync(service, clusters, people, fresh: 3);

            // This release joins (its start migrates the shared schema under the running old silo); new subjects land on either.
            var current = await service.StartCurrentAsync();
            Assert.Equal(new[] { service.Previous.SiloPort, current.SiloPort }.Order(), await ActiveSiloPortsAsync(service));
            await WriteAsync(service, clusters, people, fresh: 6);
            await AllServedAsync(service, clusters, people, "both releases running");

            // The old silo leaves: this release alone serves every subject, the old release's writes included, and writes.
            await service.Previous.StopAsync();
            Assert.Equal(new[] { current.SiloPort }, await ActiveSiloPortsAsync(service));
            await AllServedAsync(service, clusters, people, "this release alone");
            await WriteAsync(service, clusters, people, fresh: 3);

            // Rollback: the previous release comes back and this one leaves. Nothing this release wrote is unreadable to it.
            var previous = await service.StartPreviousAsync();
            await AllServedAsync(service, clusters, people, "both releases running again");
            await current.StopAsync();
            Assert.Equal(new[] { previous.SiloPort }, await ActiveSiloPortsAsync(service));
            await AllServedAsync(service, clusters, people, "the previous release alone, after this one wrote");
            await WriteAsync(service, clusters, people, fresh: 2);

            // The upgrade again, to the end: this release alone.
            current = await service.StartCurrentAsync();
            await previous.StopAsync();
            Assert.Equal(new[] { current.SiloPort }, await ActiveSiloPortsAsync(service));
            await AllServedAsync(service, clusters, people, "this release alone, at the end");

            // Every report was stored once; each subject has one data key in the shared key store.
            foreach (var cluster in clusters)
            {
                Assert.Equal(
                    (long)cluster.Reports.Count,
                    await service.Database.ScalarAsync<long>("select count(*) from report where report_id = any(@ids)", ("ids", cluster.Reports.Select(report => report.Id).ToArray())));
            }

            Assert.Equal(0L, await service.KeyStore.ScalarAsync<long>("select count(*) from (select subject from data_keys group by subject having count(*) > 1) twice"));
        }
        finally
        {
            foreach (var silo in service.Processes)
            {
                output.WriteLine($"--- silo process {silo.Name} (port {silo.SiloPort}) ---\n{silo.Output}");
            }
        }
    }

    /// <summary>Every known subject reports (or corrects itself) once more, then <paramref name="fresh"/> new clusters and one new person appear.</summary>
    private static async Task WriteAsync(UpgradeService service, List<ClusterSubject> clusters, List<PersonSubject> people, int fresh)
    {
        clusters.AddRange(Enumerable.Range(0, fresh).Select(_ => new ClusterSubject(Flynn.NewId(), Flynn.NewId(), [])));
        foreach (var cluster in clusters)
        {
            var report = (Id: Flynn.NewId(), Address: Flynn.NewAddress());
            await RetriedAsync(() => service.Http.SendAsync(ReportRequest(cluster, report)), HttpStatusCode.Accepted, "a report acknowledged");
            cluster.Reports.Add(report);
        }

        foreach (var person in people)
        {
            person.Name = Infrastructure.People.NewName();
            await RetriedAsync(() => service.Http.SendAsync(person.Person.Request(HttpMethod.Patch, "/v1/me", new { name = person.Name })), HttpStatusCode.OK, "a correction");
        }

        var signedUp = await service.SignUpAsync();
        people.Add(new PersonSubject(signedUp) { Name = signedUp.Name });
    }

    /// <summary>A report of <paramref name="cluster"/> sent from <paramref name="report"/>'s address (the gateway trusts the proxy on loopback).</summary>
    private static HttpRequestMessage ReportRequest(ClusterSubject cluster, (string Id, string Address) report)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/clusters/{cluster.Id}/reports") { Content = Json.Body(Json.Report(cluster.Bootstrap, report.Id)) };
        request.Headers.Add("X-Forwarded-For", report.Address);
        return request;
    }

    /// <summary>Each cluster's record holds every report it sent (and nothing else); each person's holds their latest name.</summary>
    private static async Task AllServedAsync(UpgradeService service, List<ClusterSubject> clusters, List<PersonSubject> people, string when)
    {
        foreach (var cluster in clusters)
        {
            var record = await RetriedAsync(() => service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster.Id}", cluster.Bootstrap)), HttpStatusCode.OK, $"cluster read ({when})");
            var items = record["items"]!.AsArray();
            string[] Values(string category, string field) =>
                [.. items.Where(item => (string?)item!["category"] == category).Select(item => (string)item![field]!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

            // The addresses are sealed per value under epoch keys in the key store: each opens on this silo.
            Assert.Equal(cluster.Reports.Select(report => report.Id).Order(StringComparer.Ordinal), Values("usage", "reportId"));
            Assert.Equal(cluster.Reports.Select(report => report.Address).Order(StringComparer.Ordinal), Values("ip-address", "value"));
        }

        foreach (var person in people)
        {
            var me = await RetriedAsync(() => service.Http.SendAsync(person.Person.Request(HttpMethod.Get, "/v1/me")), HttpStatusCode.OK, $"person read ({when})");
            Assert.Equal((person.Person.Email, person.Name), ((string?)me["account"]!["profile"]!["email"], (string?)me["account"]!["profile"]!["name"]));
        }
    }

    /// <summary>
    /// Sends until the answer is <paramref name="expected"/>: while a silo leaves, a call may get 503 with Retry-After (nothing
    /// done), and Flynn and people retry; any other answer fails at once.
    /// </summary>
    private static async Task<System.Text.Json.Nodes.JsonNode> RetriedAsync(Func<Task<HttpResponseMessage>> send, HttpStatusCode expected, string what)
    {
        var body = await Eventually.ReturnsAsync(
            async () =>
            {
                using var response = await send();
                Assert.True(response.StatusCode == expected || response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{what}: answered {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                return response.StatusCode == expected ? await response.Content.ReadAsStringAsync() : null;
            },
            answer => answer is not null, s_deadline, what);
        return body!.Length == 0 ? new System.Text.Json.Nodes.JsonObject() : System.Text.Json.Nodes.JsonNode.Parse(body)!;
    }

    private static async Task<int[]> ActiveSiloPortsAsync(UpgradeService service)
    {
        await using var source = service.Database.OpenDataSource();
        await using var command = source.CreateCommand("select port from membership_member where deployment_id = @cluster and status = @active order by port");
        command.Parameters.AddWithValue("cluster", service.Settings["Orleans:ClusterId"]!);
        command.Parameters.AddWithValue("active", ActiveStatus);
        var ports = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ports.Add(reader.GetInt32(0));
        }

        return [.. ports];
    }

    private sealed record ClusterSubject(string Id, string Bootstrap, List<(string Id, string Address)> Reports);

    private sealed record PersonSubject(Person Person)
    {
        public required string Name { get; set; }
    }

    /// <summary>The service with silo processes instead of in-process silos: first the previous release's, alone.</summary>
    public sealed class UpgradeService : ServiceHost
    {
        private readonly List<SiloProcess> _processes = [];
        private string _previousDll = null!;

        public SiloProcess? Previous { get; private set; }

        /// <summary>Every silo process started (running or not).</summary>
        public IReadOnlyList<SiloProcess> Processes => _processes;

        protected override string Purpose => "upgrade";

        /// <summary>This build's silo, beside this build's tests (same configuration).</summary>
        private static string CurrentDll
        {
            get
            {
                var root = RepositoryPaths.Root();
                var output = Path.GetRelativePath(Path.Combine(root, "tests", "PrimeDirective.Tests"), AppContext.BaseDirectory);
                return Path.Combine(root, "src", "Silo", output, "PrimeDirective.Silo.dll");
            }
        }

        public async Task<SiloProcess> StartPreviousAsync() => Previous = await StartAsync("previous", _previousDll);

        public Task<SiloProcess> StartCurrentAsync() => StartAsync("current", CurrentDll);

        protected override async Task StartSilosAsync()
        {
            _previousDll = await PreviousRelease.SiloAsync();
            await StartPreviousAsync();
        }

        public override async Task DisposeAsync()
        {
            foreach (var silo in _processes)
            {
                await silo.DisposeAsync();
            }

            await base.DisposeAsync();
        }

        private async Task<SiloProcess> StartAsync(string name, string dll)
        {
            var silo = await SiloProcess.StartAsync($"{name}-{_processes.Count + 1}", dll, Settings);
            _processes.Add(silo);
            return silo;
        }
    }
}
