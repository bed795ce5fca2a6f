using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PrimeDirective.Grains.Notices;
using PrimeDirective.Tests.Infrastructure;
using static PrimeDirective.Tests.Notices.NoticeClient;

namespace PrimeDirective.Tests.Notices;

/// <summary>
/// A notice reaching people through their clusters never waits on a person from inside a cluster: a person changing a
/// consent (which tells each of their clusters) while a breach fan-out goes through those clusters is answered at once,
/// and everyone is still notified exactly once, each subject reached by the fan-out's first attempt.
/// </summary>
public sealed class FanoutConsentTests
{
    private const int Toggles = 50;

    [Fact]
    public async Task A_linked_person_toggling_consent_50_times_during_a_breach_fan_out_is_always_answered_and_everyone_is_notified_exactly_once()
    {
        await using var service = await ServiceHost.StartOwnedAsync<ToggleGatedService>();
        var officer = await service.OfficerAsync("ap");
        var (toggler, sharer, unlinked) = (await service.SignUpAsync("eu"), await service.SignUpAsync("eu"), await service.SignUpAsync("eu"));

        // The toggling person runs six clusters; the first is also linked by a second person.
        var clusters = Enumerable.Range(0, 6).Select(_ => (Id: Flynn.NewId(), Proof: Flynn.NewId())).ToList();
        foreach (var (id, proof) in clusters)
        {
            using var report = await service.Http.SendAsync(Flynn.SchedulerReport(id, proof, region: "eu"));
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
            await LinkAsync(service, toggler, id, proof);
        }

        await LinkAsync(service, sharer, clusters[0].Id, clusters[0].Proof);

        // Every delivery of the fan-out starts while one of the person's consent changes is in flight.
        var now = DateTimeOffset.UtcNow;
        var breach = await DeclareAsync(service.Admin!, officer, BreachTests.Breach(["eu"], ["usage"], now.AddHours(-1), now.AddHours(1)));
        var answers = new List<HttpStatusCode>();
        for (var toggle = 0; toggle < Toggles; toggle++)
        {
            service.ToggleStarting();
            var (status, _) = await SendAsync(service.Http, toggler.Request(HttpMethod.Put, "/v1/me/consents/usage-statistics", new { granted = toggle % 2 == 1 }));
            service.ToggleDone();
            answers.Add(status);
        }

        service.TogglesOver();
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, Toggles), answers);
        Assert.True(service.DeliveriesDuringToggles > 0, "the fan-out delivered while consent changes were in flight");

        var counts = await DoneAsync(service.Admin!, officer, breach);
        // "notified" counts subjects (clusters) through which someone was told first: the shared cluster tells the sharer,
        // and whichever cluster reaches the toggler first tells them; that may be the shared one (1) or another (2).
        Assert.InRange((long)counts["notified"]!, 1, 2);
        Assert.Equal(0, (long)counts["shownToOperators"]!);
        Assert.Equal(0, (long)counts["retrying"]!);
        Assert.Empty(counts["failed"]!.AsObject());

        // Nothing timed out: every subject of the region was delivered to once, none had to be tried again.
        Assert.Equal((long)counts["examined"]!, service.Attempts.Count);
        Assert.All(service.Attempts, attempts => Assert.Equal(1, attempts.Value));

        // Exactly one notice each, in the account and by email, for both linked people; none for the person linked to nothing.
        foreach (var person in new[] { toggler, sharer })
        {
            await Eventually.ReturnsAsync(() => EmailsAsync(service, person, BreachTitle), count => count > 0, TimeSpan.FromSeconds(30), "the breach email");
            Assert.Single(await NotificationsAsync(service.Http, person, "breach"));
            Assert.Equal(1, await EmailsAsync(service, person, BreachTitle));
        }

        Assert.Empty(await NotificationsAsync(service.Http, unlinked, "breach"));
        Assert.Equal(0, await EmailsAsync(service, unlinked, BreachTitle));

        // The clusters of linked people show nothing to their operators: the people were told.
        foreach (var (id, proof) in clusters)
        {
            var (_, view) = await SendAsync(service.Http, Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{id}", proof));
            Assert.Empty(view!["notices"]!.AsArray());
        }
    }

    private static async Task LinkAsync(ServiceHost service, Person person, string clusterId, string proof)
    {
        var (status, _) = await SendAsync(service.Http, person.Request(HttpMethod.Post, "/v1/me/clusters", new { clusterId, bootstrapId = proof, region = "eu" }));
        Assert.Equal(HttpStatusCode.OK, status);
    }

    /// <summary>A notice service whose fan-out starts each delivery only while a consent change of the test is in flight.</summary>
    public sealed class ToggleGatedService : NoticeService
    {
        private TaskCompletionSource _inFlight = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _over;
        private int _deliveriesDuringToggles;

        protected override string Purpose => "fanout-consent";

        /// <summary>Delivery attempts by subject key.</summary>
        public ConcurrentDictionary<string, int> Attempts { get; } = new(StringComparer.Ordinal);

        /// <summary>Deliveries released while a consent change was in flight.</summary>
        public int DeliveriesDuringToggles => Volatile.Read(ref _deliveriesDuringToggles);

        public void ToggleStarting() => Volatile.Read(ref _inFlight).TrySetResult();

        public void ToggleDone() => Interlocked.Exchange(ref _inFlight, new(TaskCreationOptions.RunContinuationsAsynchronously));

        /// <summary>No more consent changes: deliveries go on freely.</summary>
        public void TogglesOver()
        {
            _over = true;
            Volatile.Read(ref _inFlight).TrySetResult();
        }

        protected override void ConfigureSilo(ISiloBuilder silo)
        {
            base.ConfigureSilo(silo);
            silo.Services.Replace(ServiceDescriptor.Singleton<INoticeFaults>(new Gate(this)));
        }

        private sealed class Gate(ToggleGatedService service) : INoticeFaults
        {
            public Task BeforeBatchRecordedAsync(string campaignId, int batch) => Task.CompletedTask;

            public async Task BeforeDeliveryAsync(string campaignId, string subjectKey)
            {
                service.Attempts.AddOrUpdate(subjectKey, 1, (_, count) => count + 1);
                if (service._over)
                {
                    return;
                }

                await Volatile.Read(ref service._inFlight).Task;
                if (!service._over)
                {
                    Interlocked.Increment(ref service._deliveriesDuringToggles);
                }
            }
        }
    }
}
