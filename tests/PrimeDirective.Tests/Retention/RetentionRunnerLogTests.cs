using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Requests;

namespace PrimeDirective.Tests.Retention;

/// <summary>A failed retention run is logged by the exception's type only: its message may carry values (issue 19, point 20).</summary>
public sealed class RetentionRunnerLogTests
{
    [Fact]
    public async Task A_failed_run_logs_the_exception_type_and_never_its_message_then_the_retry_destroys_what_expired()
    {
        await using var service = await ServiceHost.StartOwnedAsync<FailingDeletionService>();
        var (cluster, bootstrap) = (Flynn.NewId(), Flynn.NewId());
        var key = Erasure.KeysOf(service).Clusters.For("eu", cluster);
        const string address = "203.0.113.212";
        service.Failure.FailNextDeletion(key, $"deleting the rows of address {address} failed");

        await Erasure.SendAsync(service.Http, Flynn.SchedulerReport(cluster, bootstrap, forwardedFor: address), HttpStatusCode.OK);

        var failure = await Eventually.ReturnsAsync(
            () => Task.FromResult(service.Logs.GetSnapshot().FirstOrDefault(record => record.Category == typeof(RetentionRunner).FullName)),
            record => record is not null,
            TimeSpan.FromSeconds(30),
            "the runner logs the failed run");
        Assert.Contains(nameof(InvalidOperationException), failure!.Message, StringComparison.Ordinal);
        Assert.Contains(key, failure.Message, StringComparison.Ordinal);
        Assert.Null(failure.Exception);

        // Nothing of ours at any level, nobody's at the levels the shipped configuration keeps (Orleans' own debug record
        // of a failed grain call carries the message; appsettings keep Orleans at warnings).
        Assert.Empty(service.Logs.GetSnapshot()
            .Where(record => record.Level >= LogLevel.Information || record.Category?.StartsWith("PrimeDirective", StringComparison.Ordinal) == true)
            .Where(record => LogText.Render(record).Contains(address, StringComparison.Ordinal))
            .Select(record => $"{record.Level} {record.Category}: {record.Message}"));

        // Nothing is lost to the failure: the reminder's next run destroys the expired address.
        await Eventually.ReturnsAsync(
            () => service.Database.CountRowsContainingAsync(address),
            rows => rows == 0,
            TimeSpan.FromSeconds(30),
            "the expired address destroyed by the retry");
        Assert.Equal(1, service.Failure.Failed);
    }

    /// <summary>Addresses expire in 2 s, reports in an hour; reminders retry every second; one deletion fails on demand.</summary>
    public sealed class FailingDeletionService : ServiceHost
    {
        public FailingDeletionService()
        {
            Settings["Retention:IpAddress"] = "00:00:02";
            Settings["Retention:RawReport"] = "01:00:00";
            Settings["Retention:RetryPeriod"] = "00:00:01";
        }

        public DeletionFailure Failure { get; } = new();

        protected override string Purpose => "retention-log";

        protected override void ConfigureSilo(ISiloBuilder silo)
        {
            silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            var real = silo.Services.Last(descriptor => descriptor.ServiceType == typeof(IReportLog));
            silo.Services.AddSingleton<IReportLog>(provider =>
                new FailingLog((IReportLog)ActivatorUtilities.CreateInstance(provider, real.ImplementationType!), Failure));
        }
    }

    /// <summary>Makes the next deletion of one subject throw an exception whose message carries a value, once.</summary>
    public sealed class DeletionFailure
    {
        private (string SubjectKey, string Message)? _next;
        private int _failed;

        public int Failed => Volatile.Read(ref _failed);

        public void FailNextDeletion(string subjectKey, string message) => _next = (subjectKey, message);

        internal void ThrowIfDue(string subjectKey)
        {
            if (_next is { } next && next.SubjectKey == subjectKey && Interlocked.CompareExchange(ref _failed, 1, 0) == 0)
            {
                throw new InvalidOperationException(next.Message);
            }
        }
    }

    private sealed class FailingLog(IReportLog inner, DeletionFailure failure) : IReportLog
    {
        public Task<ReportAppend> AppendAsync(string region, string subjectKey, string reportId, IReadOnlyList<HeldItem> items) =>
            inner.AppendAsync(region, subjectKey, reportId, items);

        public Task<ItemPage> ReadAsync(string region, string subjectKey, DateTimeOffset now, string? after, int limit) =>
            inner.ReadAsync(region, subjectKey, now, after, limit);

        public Task<ImmutableDictionary<DataCategory, int>> CountAsync(string region, string subjectKey) => inner.CountAsync(region, subjectKey);

        public Task<ReportDeletion> DeleteAsync(string region, string subjectKey, DateTimeOffset now, bool all, string subjectKind, string why)
        {
            failure.ThrowIfDue(subjectKey);
            return inner.DeleteAsync(region, subjectKey, now, all, subjectKind, why);
        }
    }
}
