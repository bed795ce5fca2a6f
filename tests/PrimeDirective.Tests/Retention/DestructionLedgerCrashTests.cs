using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Retention;

/// <summary>The proof of a destruction survives a crash between destroying and recording it, and is never counted twice.</summary>
public sealed class DestructionLedgerCrashTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_expiry_killed_between_the_destruction_and_its_ledger_entry_is_counted_exactly_once_after_recovery(bool recordedBeforeTheKill)
    {
        await using var service = await ServiceHost.StartOwnedAsync<LedgerCrashService>();
        service.Ledger.RecordBeforeHolding = recordedBeforeTheKill;
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        const string address = "198.51.100.240";
        using (var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: address)))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        // The address expired and is destroyed; its proof is held on its way to the ledger, and the silo dies there.
        var proofId = await service.Ledger.Held.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(address));
        Assert.Equal(recordedBeforeTheKill ? 1 : 0, await AddressesCountedAsync(service));
        Assert.Equal(1L, await StateRowsHoldingAsync(service, proofId));
        await service.KillSiloAsync(service.Silos.Single());
        await service.StartSiloAsync();

        // The new silo finds the proof with the cluster and records it: once, whichever side of the kill it was on.
        await Eventually.ReturnsAsync(() => StateRowsHoldingAsync(service, proofId), rows => rows == 0, TimeSpan.FromSeconds(60), "the pending proof recorded and dropped");
        Assert.Equal(1, await AddressesCountedAsync(service));
        var day = await service.Database.ScalarAsync<DateTime>("select day::timestamp from destruction_ledger where proof_id = @id limit 1", ("id", proofId));
        var entries = await service.Ledger.ReadAsync("eu", DateOnly.FromDateTime(day));
        Assert.Equal(1, Assert.Single(entries, entry => entry is { SubjectKind: "cluster", Why: "expiry", Category: Grains.Interfaces.Privacy.DataCategory.IpAddress }).Count);

        // The rest of the report is still held, and the cluster answers its operator again once the gateway found the new silo.
        Assert.Equal(1, await service.Database.CountRowsContainingAsync(cluster));
        await Eventually.ReturnsAsync(
            async () =>
            {
                using var record = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap));
                return record.StatusCode;
            },
            status => status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30),
            "the cluster served by the new silo");
    }

    private static async Task<int> AddressesCountedAsync(ServiceHost service) =>
        (int)(await service.Database.ScalarAsync<long?>(
            "select sum(count) from destruction_ledger where category = 'ip-address' and why = 'expiry'") ?? 0);

    private static async Task<long> StateRowsHoldingAsync(ServiceHost service, string proofId) =>
        await service.Database.ScalarAsync<long>(
            "select count(*) from grain_state where convert_from(payload_binary, 'UTF8') like '%' || @id || '%'", ("id", proofId));

    /// <summary>Addresses expire in 2 s, reports in an hour; reminders every second; the first ledger entry is held until its silo dies.</summary>
    public sealed class LedgerCrashService : ServiceHost
    {
        public LedgerCrashService()
        {
            Settings["Retention:IpAddress"] = "00:00:02";
            Settings["Retention:RawReport"] = "01:00:00";
            Settings["Retention:RetryPeriod"] = "00:00:01";
        }

        public HoldFirstEntry Ledger { get; } = new();

        protected override string Purpose => "ledger-crash";

        protected override void ConfigureSilo(ISiloBuilder silo)
        {
            silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            var services = silo.Services;
            var original = services.Last(descriptor => descriptor.ServiceType == typeof(IDestructionLedger));
            services.Remove(original);
            services.AddSingleton<IDestructionLedger>(provider => Ledger.Wrap(
                (IDestructionLedger)ActivatorUtilities.CreateInstance(provider, original.ImplementationType!),
                provider.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping));
        }
    }

    /// <summary>Holds the first proof any silo records (before or after recording it) until that silo stops.</summary>
    public sealed class HoldFirstEntry
    {
        private int _held;
        private Holding? _latest;

        public bool RecordBeforeHolding { get; set; }

        public TaskCompletionSource<string> Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IDestructionLedger Wrap(IDestructionLedger inner, CancellationToken siloStopping)
        {
            var wrapped = new Holding(inner, this, siloStopping);
            _latest = wrapped;
            return wrapped;
        }

        /// <summary>Reads the ledger through the newest silo's ledger.</summary>
        public Task<ImmutableArray<DestructionEntry>> ReadAsync(string region, DateOnly day) => _latest!.ReadAsync(region, day);

        private sealed class Holding(IDestructionLedger inner, HoldFirstEntry plan, CancellationToken siloStopping) : IDestructionLedger
        {
            public async Task RecordAsync(string region, DestructionProof proof)
            {
                siloStopping.ThrowIfCancellationRequested();
                var hold = Interlocked.Exchange(ref plan._held, 1) == 0;
                if (hold && plan.RecordBeforeHolding)
                {
                    await inner.RecordAsync(region, proof);
                }

                if (hold)
                {
                    plan.Held.TrySetResult(proof.Id);
                    await Task.Delay(Timeout.InfiniteTimeSpan, siloStopping);
                }

                await inner.RecordAsync(region, proof);
            }

            public Task<ImmutableArray<DestructionEntry>> ReadAsync(string region, DateOnly day) => inner.ReadAsync(region, day);
        }
    }
}
