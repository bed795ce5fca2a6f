using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using PrimeDirective.Grains.Notices;
using PrimeDirective.Tests.Infrastructure;
using static PrimeDirective.Tests.Notices.NoticeClient;

namespace PrimeDirective.Tests.Notices;

/// <summary>A breach's fan-out survives the death of its silo mid-way: it resumes where it stopped, nobody is told twice.</summary>
public sealed class BreachFanoutCrashTests
{
    [Fact]
    public async Task A_silo_killed_in_the_middle_of_the_fan_out_resumes_it_and_everyone_is_notified_exactly_once()
    {
        await using var service = await ServiceHost.StartOwnedAsync<CrashingFanoutService>();
        var officer = await service.OfficerAsync("ap");
        var people = new List<Person>();
        for (var i = 0; i < 14; i++)
        {
            people.Add(await service.SignUpAsync("eu"));
        }

        var now = DateTimeOffset.UtcNow;
        var breach = await DeclareAsync(service.Admin!, officer, BreachTests.Breach(["eu"], ["account"], now.AddDays(-1), now.AddHours(1)));

        // The second batch (4 people) was delivered and not yet recorded: its silo dies there, holding it.
        var held = await service.Held.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(breach, held.CampaignId);
        var before = (await SendAsync(service.Admin!, officer.Request(HttpMethod.Get, $"/v1/admin/breaches/{breach}"))).Body!["progress"]!;
        Assert.Equal(4, (long)before["examined"]!);
        Assert.False((bool)before["done"]!);
        // The held batch's notices are stored already, with the first batch's: one row per person.
        Assert.Equal(8L, await RowsAsync(service, breach));
        await service.KillSiloAsync(held.Silo);
        if (service.Silos.Count < 2)
        {
            await service.StartSiloAsync();
        }

        var counts = await DoneAsync(service.Admin!, officer, breach);
        Assert.Equal(14, (long)counts["examined"]!);
        Assert.Equal(14, (long)counts["notified"]!);
        Assert.Equal(14, (long)counts["affected"]!);
        Assert.Equal(0, (long)counts["pending"]!);
        Assert.Empty(counts["failed"]!.AsObject());
        Assert.True(service.Batches >= 5, "the held batch ran again after the crash");

        foreach (var person in people)
        {
            Assert.Single(await NotificationsAsync(service.Http, person, "breach"));
            await Eventually.ReturnsAsync(() => EmailsAsync(service, person, BreachTitle), count => count > 0, TimeSpan.FromSeconds(60), "the breach email");
        }

        // Every undelivered message was delivered and dropped from its account: no email went out twice.
        await Eventually.ReturnsAsync(
            () => service.Database.ScalarAsync<long>("select (select count(*) from reminder where reminder_name = 'outbox') + (select count(*) from outbox_mark)"),
            rows => rows == 0,
            TimeSpan.FromSeconds(60),
            "every outbox reminder and mark removed");
        foreach (var person in people)
        {
            Assert.Equal(1, await EmailsAsync(service, person, BreachTitle));
        }

        // The repeated batch stored nothing twice; every row's email was delivered once and forgotten.
        Assert.Equal(14L, await RowsAsync(service, breach));
        Assert.Equal(14L, await service.Database.ScalarAsync<long>("select count(distinct person) from person_notice where campaign_id = @c", ("c", breach)));
        await Eventually.ReturnsAsync(
            () => service.Database.ScalarAsync<long>("select count(*) from person_notice where campaign_id = @c and email_state = 'delivered' and email is null", ("c", breach)),
            rows => rows == 14,
            TimeSpan.FromSeconds(60),
            "every row's email settled as delivered");

        Assert.Equal(0, await EmailsAsync(service, officer, BreachTitle));
    }

    private static Task<long> RowsAsync(CrashingFanoutService service, string breach) =>
        service.Database.ScalarAsync<long>("select count(*) from person_notice where campaign_id = @c", ("c", breach));

    /// <summary>Two silos; on whichever runs it, the fan-out's second batch is held after delivery until that silo dies.</summary>
    public sealed class CrashingFanoutService : NoticeService
    {
        private int _batches;
        private int _held;

        public TaskCompletionSource<(string CampaignId, IHost Silo)> Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Batches => Volatile.Read(ref _batches);

        protected override string Purpose => "fanout-crash";

        protected override async Task StartSilosAsync()
        {
            await StartSiloAsync();
            await StartSiloAsync();
        }

        protected override void ConfigureSilo(ISiloBuilder silo)
        {
            base.ConfigureSilo(silo);
            silo.Services.Replace(ServiceDescriptor.Singleton<INoticeFaults>(provider => new HoldSecondBatch(this, provider)));
        }

        private sealed class HoldSecondBatch(CrashingFanoutService service, IServiceProvider provider) : INoticeFaults
        {
            public async Task BeforeBatchRecordedAsync(string campaignId, int batch)
            {
                var stopping = provider.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
                stopping.ThrowIfCancellationRequested();
                Interlocked.Increment(ref service._batches);
                if (batch == 2 && Interlocked.Exchange(ref service._held, 1) == 0)
                {
                    var silo = service.Silos.Single(host => ReferenceEquals(host.Services.GetService<INoticeFaults>(), this));
                    service.Held.TrySetResult((campaignId, silo));
                    await Task.Delay(Timeout.InfiniteTimeSpan, stopping);
                }
            }

            public Task BeforeDeliveryAsync(string campaignId, string subjectKey) => Task.CompletedTask;
        }
    }
}
