using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Requests;

namespace PrimeDirective.Tests.Retention;

/// <summary>
/// Due retention is queued by the reminder's tick and run by the silo's bounded runner: a wave of due reminders waits in
/// the queue, not inside ticks under their response timeout, and never more destructions run at once than the bound.
/// </summary>
public sealed class RetentionRunnerTests
{
    [Fact]
    public async Task A_tick_returns_at_once_and_its_work_waits_behind_the_bound_then_everything_due_is_destroyed()
    {
        await using var service = await ServiceHost.StartOwnedAsync<OneRunAtATimeService>();
        var keys = Erasure.KeysOf(service).Clusters;
        var clusters = Enumerable.Range(0, 3).Select(_ => (Id: Flynn.NewId(), Bootstrap: Flynn.NewId())).ToList();
        var (held, others) = (keys.For("eu", clusters[0].Id), clusters.Skip(1).Select(cluster => keys.For("eu", cluster.Id)).ToList());
        var gate = service.Gate;
        gate.Hold(held);

        await Erasure.SendAsync(service.Http, Flynn.SchedulerReport(clusters[0].Id, clusters[0].Bootstrap), HttpStatusCode.OK);
        await gate.Entered(held).WaitAsync(TimeSpan.FromSeconds(30));
        foreach (var (id, bootstrap) in clusters.Skip(1))
        {
            await Erasure.SendAsync(service.Http, Flynn.SchedulerReport(id, bootstrap), HttpStatusCode.OK);
        }

        // The held subject's run has the only slot. Another subject's tick is acknowledged all the same: it only queues.
        var silo = service.Silos.Single().Services;
        var runner = silo.GetRequiredService<RetentionRunner>();
        var grains = silo.GetRequiredService<IGrainFactory>();
        foreach (var key in others)
        {
            await grains.GetGrain<IClusterGrain>(key).AsReference<IRemindable>().ReceiveReminder("retention", default).WaitAsync(TimeSpan.FromSeconds(30));
        }

        await Eventually.ReturnsAsync(() => Task.FromResult(runner.Pending), pending => pending == 3, TimeSpan.FromSeconds(30), "all three subjects queued or running");
        foreach (var key in others)
        {
            Assert.Equal(3L, await RowsAsync(service, key)); // usage, configuration, address: all expired, none deleted
        }

        Assert.Equal(1, runner.MostRunning);
        Assert.Empty(gate.DeletionsOutside(held));

        gate.Release(held);
        foreach (var key in others.Prepend(held))
        {
            await Eventually.ReturnsAsync(
                async () => await RowsAsync(service, key) + await service.Database.ScalarAsync<long>(
                    "select count(*) from grain_state where grain_id_extension_string = @key", ("key", key)),
                left => left == 0,
                TimeSpan.FromSeconds(60),
                "the subject's rows and state destroyed");
        }

        // A tick that came while a run was under way runs its subject once more (finding nothing); then the queue is empty,
        // and no run ever had company.
        await Eventually.ReturnsAsync(() => Task.FromResult(runner.Pending), pending => pending == 0, TimeSpan.FromSeconds(30), "the queue drained");
        Assert.Equal(1, runner.MostRunning);
        foreach (var key in others.Prepend(held))
        {
            Assert.Null(await service.Database.GrainStateJsonAsync(key));
        }
    }

    [Fact]
    public async Task A_tick_that_arrives_while_its_subjects_run_is_under_way_runs_it_once_more_afterwards()
    {
        await using var service = await ServiceHost.StartOwnedAsync<LongPeriodService>();
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        var key = Erasure.KeysOf(service).Clusters.For("eu", cluster);
        var silo = service.Silos.Single().Services;
        var runner = silo.GetRequiredService<RetentionRunner>();
        service.Gate.Hold(key);
        await Erasure.SendAsync(service.Http, Flynn.SchedulerReport(cluster, bootstrap), HttpStatusCode.OK);
        await service.Gate.Entered(key).WaitAsync(TimeSpan.FromSeconds(30));

        // A tick for the subject while its run is under way (it waits behind the run in the grain, then queues the subject
        // while the runner is still finishing that run): the run read the clock before the tick's due time, so the tick
        // must not be lost behind it. The reminder itself comes back only after an hour: a second run comes from this tick.
        var tick = silo.GetRequiredService<IGrainFactory>().GetGrain<IClusterGrain>(key).AsReference<IRemindable>().ReceiveReminder("retention", default);
        Assert.Equal(0, runner.Completed);
        service.Gate.Release(key);
        await tick.WaitAsync(TimeSpan.FromSeconds(30));

        await Eventually.ReturnsAsync(() => Task.FromResult(runner.Completed), completed => completed == 2, TimeSpan.FromSeconds(30), "the run, then one more");
        Assert.Equal(0, runner.Pending);
        Assert.Equal(2L, await RowsAsync(service, key)); // the address went; usage and configuration stay an hour
    }

    [Fact]
    public async Task What_comes_due_while_a_run_is_under_way_is_destroyed_right_after_it_not_a_retry_period_later()
    {
        await using var service = await ServiceHost.StartOwnedAsync<LaterReportService>();
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        var key = Erasure.KeysOf(service).Clusters.For("eu", cluster);
        service.Gate.Hold(key);
        await Erasure.SendAsync(service.Http, Flynn.SchedulerReport(cluster, bootstrap), HttpStatusCode.OK);
        await service.Gate.Entered(key).WaitAsync(TimeSpan.FromSeconds(30));

        // The run destroys what was due when it began (the address); the report's own expiry passes meanwhile. Orleans
        // would start the reminder re-armed for that past time a whole period (an hour) later.
        await Eventually.ReturnsAsync(
            () => service.Database.ScalarAsync<long>("select count(*) from report_items where subject_key = @key and expires_at > now()", ("key", key)),
            notYetDue => notYetDue == 0,
            TimeSpan.FromSeconds(30),
            "every row of the report past its expiry");
        service.Gate.Release(key);

        await Eventually.ReturnsAsync(
            async () => await RowsAsync(service, key) + await service.Database.ScalarAsync<long>(
                "select count(*) from grain_state where grain_id_extension_string = @key", ("key", key)),
            left => left == 0,
            TimeSpan.FromSeconds(30),
            "the rest of the report and the subject destroyed by the next run");
    }

    private static Task<long> RowsAsync(ServiceHost service, string key) =>
        service.Database.ScalarAsync<long>("select count(*) from report_items where subject_key = @key", ("key", key));

    /// <summary>Everything a report holds expires in 2 s; one retention run at a time; reminders every second.</summary>
    public sealed class OneRunAtATimeService() : GatedService("retention-runner", address: "00:00:02", report: "00:00:02", retry: "00:00:01");

    /// <summary>Addresses expire in 2 s, reports in an hour; a reminder comes back only after an hour.</summary>
    public sealed class LongPeriodService() : GatedService("retention-rerun", address: "00:00:02", report: "01:00:00", retry: "01:00:00");

    /// <summary>Addresses expire in 2 s, reports in 4 s; a reminder comes back only after an hour.</summary>
    public sealed class LaterReportService() : GatedService("retention-missed", address: "00:00:02", report: "00:00:04", retry: "01:00:00");

    /// <summary>A service whose silo runs one subject's retention at a time, its report log behind a <see cref="DeletionGate"/>.</summary>
    public abstract class GatedService : ServiceHost
    {
        private readonly string _purpose;

        protected GatedService(string purpose, string address, string report, string retry)
        {
            _purpose = purpose;
            Settings["Retention:IpAddress"] = address;
            Settings["Retention:RawReport"] = report;
            Settings["Retention:RetryPeriod"] = retry;
            Settings["Retention:MaxConcurrentRuns"] = "1";
        }

        public DeletionGate Gate { get; } = new();

        protected override string Purpose => _purpose;

        protected override void ConfigureSilo(ISiloBuilder silo)
        {
            silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            Gate.Install(silo);
        }
    }

    /// <summary>Holds deletions of chosen subjects until released, and records which deletions ran while one was held.</summary>
    public sealed class DeletionGate
    {
        private readonly ConcurrentDictionary<string, (TaskCompletionSource Entered, TaskCompletionSource Released)> _held = new(StringComparer.Ordinal);
        private readonly ConcurrentQueue<string> _whileHeld = new();

        public void Hold(string subjectKey) =>
            _held[subjectKey] = (new(TaskCreationOptions.RunContinuationsAsynchronously), new(TaskCreationOptions.RunContinuationsAsynchronously));

        public Task Entered(string subjectKey) => _held[subjectKey].Entered.Task;

        public void Release(string subjectKey) => _held[subjectKey].Released.TrySetResult();

        /// <summary>Subjects other than <paramref name="subjectKey"/> whose deletion ran while it was held.</summary>
        public IReadOnlyList<string> DeletionsOutside(string subjectKey) => [.. _whileHeld.Where(key => key != subjectKey)];

        /// <summary>Puts the gate around the silo's real report log.</summary>
        public void Install(ISiloBuilder silo)
        {
            var real = silo.Services.Last(descriptor => descriptor.ServiceType == typeof(IReportLog));
            silo.Services.AddSingleton<IReportLog>(provider => new Gated((IReportLog)ActivatorUtilities.CreateInstance(provider, real.ImplementationType!), this));
        }

        private sealed class Gated(IReportLog inner, DeletionGate gate) : IReportLog
        {
            public Task<ReportAppend> AppendAsync(string region, string subjectKey, string reportId, IReadOnlyList<HeldItem> items) =>
                inner.AppendAsync(region, subjectKey, reportId, items);

            public Task<ItemPage> ReadAsync(string region, string subjectKey, DateTimeOffset now, string? after, int limit) =>
                inner.ReadAsync(region, subjectKey, now, after, limit);

            public Task<ImmutableDictionary<DataCategory, int>> CountAsync(string region, string subjectKey) => inner.CountAsync(region, subjectKey);

            public async Task<ReportDeletion> DeleteAsync(string region, string subjectKey, DateTimeOffset now, bool all, string subjectKind, string why)
            {
                if (gate._held.Values.Any(held => !held.Released.Task.IsCompleted))
                {
                    gate._whileHeld.Enqueue(subjectKey);
                }

                if (gate._held.TryGetValue(subjectKey, out var held))
                {
                    held.Entered.TrySetResult();
                    await held.Released.Task;
                }

                return await inner.DeleteAsync(region, subjectKey, now, all, subjectKind, why);
            }
        }
    }
}
