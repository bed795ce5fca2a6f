using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Retention;

/// <summary>
/// The proof of a destruction survives a crash between destroying and recording it, and is never counted twice. (Report
/// rows are counted in the same transaction that deletes them; a subject's own state is proven through its pending proof.)
/// </summary>
public sealed class DestructionLedgerCrashTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_cluster_forgotten_at_expiry_and_killed_before_its_proof_is_recorded_is_counted_exactly_once_after_recovery(bool recordedBeforeTheKill)
    {
        await using var service = await ServiceHost.StartOwnedAsync<LedgerCrashService>();
        service.Ledger.RecordBeforeHolding = recordedBeforeTheKill;
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        const string address = "198.51.100.240";
        using (var report = await service.Http.SendAsync(Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: address)))
        {
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        // Every report expired and is gone (counted with its deletion); then the identifiers are destroyed, and their
        // proof is held on its way to the ledger, where the silo dies.
        var proofId = await service.Ledger.Held.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, await service.Database.CountRowsContainingAsync(cluster) + await service.Database.CountRowsContainingAsync(bootstrap) +
            await service.Database.CountRowsContainingAsync(address));
        Assert.Equal(1, await CountedAsync(service, "ip-address"));
        Assert.Equal(recordedBeforeTheKill ? 2 : 0, await CountedAsync(service, "identifier"));
        Assert.Equal(1L, await StateRowsHoldingAsync(service, proofId));
        await service.KillSiloAsync(service.Silos.Single());
        await service.StartSiloAsync();

        // The new silo finds the proof with the subject and records it: once, whichever side of the kill it was on.
        await Eventually.ReturnsAsync(() => StateRowsHoldingAsync(service, proofId), rows => rows == 0, TimeSpan.FromSeconds(60), "the pending proof recorded and the row gone");
        Assert.Equal(2, await CountedAsync(service, "identifier"));
        Assert.Equal(1, await CountedAsync(service, "ip-address"));
        var day = await service.Database.ScalarAsync<DateTime>("select day::timestamp from destruction_ledger where proof_id = @id limit 1", ("id", proofId));
        var entries = await service.Ledger.ReadAsync("eu", DateOnly.FromDateTime(day));
        Assert.Equal(2, Assert.Single(entries, entry => entry is { SubjectKind: "cluster", Why: "expiry", Category: Grains.Interfaces.Privacy.DataCategory.Identifier }).Count);
        await Eventually.ReturnsAsync(
            async () =>
            {
                using var record = await service.Http.SendAsync(Flynn.WithProof(HttpMethod.Get, $"/v1/clusters/{cluster}", bootstrap));
                return record.StatusCode;
            },
            status => status == HttpStatusCode.NotFound,
            TimeSpan.FromSeconds(30),
            "the cluster unknown once forgotten");
    }

    private static async Task<int> CountedAsync(ServiceHost service, string category) =>
        (int)(await service.Database.ScalarAsync<long?>(
            "select sum(count) from destruction_ledger where category = @category and why = 'expiry'", ("category", category)) ?? 0);

    private static async Task<long> StateRowsHoldingAsync(ServiceHost service, string proofId) =>
        (await service.Database.GrainStatesContainingAsync(proofId)).Count;

    /// <summary>Addresses expire in 2 s, reports in 4 s; reminders every second; the first proof recorded is held until its silo dies.</summary>
    public sealed class LedgerCrashService : ServiceHost
    {
        public LedgerCrashService()
        {
            Settings["Retention:IpAddress"] = "00:00:02";
            Settings["Retention:RawReport"] = "00:00:04";
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

            public Task FenceAsync(string region, PrimeDirective.Grains.Sealing.KeyFence fence) => inner.FenceAsync(region, fence);

            public Task<PrimeDirective.Grains.Sealing.KeyFence?> FindFenceAsync(string region, Guid keyId) => inner.FindFenceAsync(region, keyId);
        }
    }
}
