using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PrimeDirective.Grains.Notices;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Requests;
using static PrimeDirective.Tests.Notices.NoticeClient;

namespace PrimeDirective.Tests.Notices;

/// <summary>
/// A subject the fan-out cannot reach is not forgotten: it is retried by reminder until it is reached (then notified
/// exactly once) or <c>Notices:GiveUpAfter</c> passed (then listed, by pseudonymous key only, in the breach's view).
/// </summary>
public sealed class FanoutRetryTests
{
    [Fact]
    public async Task A_person_whose_delivery_fails_six_times_is_notified_exactly_once_and_one_never_reached_is_listed_after_the_give_up_time()
    {
        await using var service = await ServiceHost.StartOwnedAsync<FailingDeliveryService>();
        var officer = await service.OfficerAsync("ap");
        var (late, never, others) = (await service.SignUpAsync("eu"), await service.SignUpAsync("eu"), new[] { await service.SignUpAsync("eu"), await service.SignUpAsync("eu") });
        var keys = Erasure.KeysOf(service).Users;
        var (lateKey, neverKey) = (keys.ForUser(late.UserId), keys.ForUser(never.UserId));
        service.FailuresLeft[lateKey] = 6;
        service.FailuresLeft[neverKey] = int.MaxValue;

        var now = DateTimeOffset.UtcNow;
        var breach = await DeclareAsync(service.Admin!, officer, BreachTests.Breach(["eu"], ["account"], now.AddHours(-1), now.AddHours(1)));

        // The batch gives up on both after its own tries; they are kept and retried, and the late one gets through.
        await Eventually.ReturnsAsync(
            async () => (await NotificationsAsync(service.Http, late, "breach")).Count, count => count > 0, TimeSpan.FromSeconds(90), "the late person notified by a retry");
        Assert.True(service.Attempts(lateKey) >= 7, "six failed deliveries, then the one that got through");
        var retrying = await Eventually.ReturnsAsync(
            () => ProgressAsync(service, officer, breach), progress => (long)progress["notified"]! == 3, TimeSpan.FromSeconds(30), "the retry counted");
        Assert.Equal(1, (long)retrying["retrying"]!);
        Assert.False((bool)retrying["done"]!);
        Assert.Empty(retrying["failedSubjects"]!.AsArray());

        // Past the give-up time the one never reached is listed, by key only; the fan-out is done.
        service.Clock.Advance(TimeSpan.FromDays(3) + TimeSpan.FromMinutes(1));
        var counts = await DoneAsync(service.Admin!, officer, breach);
        Assert.Equal(0, (long)counts["retrying"]!);
        Assert.Equal(3, (long)counts["notified"]!);
        Assert.Equal(4, (long)counts["affected"]!);
        Assert.Equal([neverKey], counts["failedSubjects"]!.AsArray().Select(key => (string?)key));
        Assert.Equal(1, (long)counts["failed"]!.AsObject().Single().Value!);
        foreach (var needle in new[] { never.UserId, never.Email, never.Name, late.UserId, late.Email })
        {
            Assert.DoesNotContain(needle, counts.ToJsonString(), StringComparison.Ordinal);
        }

        // Exactly one notice each, in the account and by email; none for the one never reached.
        foreach (var person in others.Append(late))
        {
            await Eventually.ReturnsAsync(() => EmailsAsync(service, person, BreachTitle), count => count > 0, TimeSpan.FromSeconds(60), "the breach email");
            Assert.Single(await NotificationsAsync(service.Http, person, "breach"));
            Assert.Equal(1, await EmailsAsync(service, person, BreachTitle));
        }

        Assert.Empty(await NotificationsAsync(service.Http, never, "breach"));
        Assert.Equal(0, await EmailsAsync(service, never, BreachTitle));
    }

    private static async Task<System.Text.Json.Nodes.JsonNode> ProgressAsync(NoticeService service, Person officer, string breach) =>
        (await SendAsync(service.Admin!, officer.Request(HttpMethod.Get, $"/v1/admin/breaches/{breach}"))).Body!["progress"]!;

    /// <summary>A notice service whose fan-outs fail the deliveries to chosen subjects a number of times.</summary>
    public sealed class FailingDeliveryService : NoticeService
    {
        private readonly ConcurrentDictionary<string, int> _attempts = new(StringComparer.Ordinal);

        /// <summary>How many more deliveries to each subject key fail.</summary>
        public ConcurrentDictionary<string, int> FailuresLeft { get; } = new(StringComparer.Ordinal);

        protected override string Purpose => "fanout-retry";

        public int Attempts(string subjectKey) => _attempts.GetValueOrDefault(subjectKey);

        protected override void ConfigureSilo(ISiloBuilder silo)
        {
            base.ConfigureSilo(silo);
            silo.Services.Replace(ServiceDescriptor.Singleton<INoticeFaults>(new FailDelivery(this)));
        }

        private sealed class FailDelivery(FailingDeliveryService service) : INoticeFaults
        {
            public Task BeforeBatchRecordedAsync(string campaignId, int batch) => Task.CompletedTask;

            public Task BeforeDeliveryAsync(string campaignId, string subjectKey)
            {
                service._attempts.AddOrUpdate(subjectKey, 1, (_, count) => count + 1);
                while (service.FailuresLeft.TryGetValue(subjectKey, out var left) && left > 0)
                {
                    if (service.FailuresLeft.TryUpdate(subjectKey, left == int.MaxValue ? left : left - 1, left))
                    {
                        return Task.FromException(new TimeoutException("delivery refused by the test"));
                    }
                }

                return Task.CompletedTask;
            }
        }
    }
}
