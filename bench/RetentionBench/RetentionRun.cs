using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Npgsql;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Interfaces.Keys;
using static PrimeDirective.RetentionBench.ResultTable;

namespace PrimeDirective.RetentionBench;

/// <summary>
/// One run: N cluster grains each record a report (an IP address and usage counts, as Flynn's scheduler sends), which
/// arms one retention reminder per subject; the silo then idles with every reminder armed; then the bench polls the
/// database until retention has destroyed every subject's row and every reminder row.
/// </summary>
internal sealed class RetentionRun(
    BenchOptions options, IGrainFactory grains, ClusterKeys keys, BenchDatabase database, OrleansMeters meters, string serviceId)
{
    private const string Region = "eu";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(15);

    /// <summary>The idle window ends this long before the first item expires, so no reminder fires inside it.</summary>
    private static readonly TimeSpan IdleMargin = TimeSpan.FromSeconds(2);

    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public async Task RunAsync(ResultTable results, CancellationToken cancellationToken)
    {
        var baseline = ProcessProbe.Memory();
        meters.ResetTicks();
        var ingest = await IngestAsync(cancellationToken);
        var sortedLatency = ingest.LatencyMs.Order().ToArray();
        results.Add("ingest: time, throughput", $"{Seconds(ingest.Elapsed)}, {options.Subjects / ingest.Elapsed.TotalSeconds:0} subjects/s ({options.Concurrency} in flight)");
        results.Add("ingest: report call p50 / p99 / max", $"{Percentile(sortedLatency, 0.50):0.0} / {Percentile(sortedLatency, 0.99):0.0} / {sortedLatency[^1]:0.0} ms");

        var (states, reminders) = await database.CountRowsAsync(cancellationToken);
        var (stateBytes, reminderBytes) = await database.TableSizesAsync(cancellationToken);
        results.Add("rows when armed: grain_state / reminder", $"{states} / {reminders}");
        results.Add("table size when armed: grain_state / reminder", $"{MiB(stateBytes)} / {MiB(reminderBytes)}");

        var armed = ProcessProbe.Memory();
        results.Add("cluster grain activations / reminders held in memory, armed", $"{await ClusterActivationsAsync()} / {meters.LocalReminderCount}");
        results.Add("working set: baseline → armed", $"{MiB(baseline.WorkingSet)} → {MiB(armed.WorkingSet)}");
        results.Add("GC heap (live): baseline → armed", $"{MiB(baseline.GcHeap)} → {MiB(armed.GcHeap)}");
        results.Add(
            "per subject, armed − baseline: working set / GC heap",
            $"{(armed.WorkingSet - baseline.WorkingSet) / 1024d / options.Subjects:0.0} / {(armed.GcHeap - baseline.GcHeap) / 1024d / options.Subjects:0.0} KiB");

        await ArmedIdleAsync(ingest, results, cancellationToken);
        var (rangeRows, rangeRead) = await database.TimeFullRangeReadAsync(serviceId, cancellationToken);
        results.Add("one refresh's range read (ReadRangeRows2Key, whole ring)", $"{rangeRows} rows in {rangeRead.TotalMilliseconds:0} ms");

        await DrainAsync(ingest, results, cancellationToken);
        var (ticks, meanTardiness, maxTardiness) = meters.TickStats();
        results.Add("reminder ticks delivered; tardiness mean / max", $"{ticks}; {meanTardiness:0.00} / {maxTardiness:0.00} s");
        var after = ProcessProbe.Memory();
        results.Add("cluster grain activations / reminders held in memory, drained", $"{await ClusterActivationsAsync()} / {meters.LocalReminderCount}");
        results.Add("working set / GC heap (live), drained", $"{MiB(after.WorkingSet)} / {MiB(after.GcHeap)}");
        await IdleAsync("idle CPU, drained", options.Idle, results, cancellationToken);
        if (options.SettleTimeout > TimeSpan.Zero)
        {
            await SettleAsync(results, cancellationToken);
        }
    }

    /// <summary>
    /// Waits for the local reminder service to let go of the entries it keeps for unregistered reminders: it drops them
    /// on its next read of the reminder table (<c>ReminderOptions.RefreshReminderListPeriod</c>).
    /// </summary>
    private async Task SettleAsync(ResultTable results, CancellationToken cancellationToken)
    {
        const string Metric = "reminders held in memory after drain → 0";
        Log($"settle: waiting up to {Seconds(options.SettleTimeout)} for the reminder service to drop its entries");
        var watch = Stopwatch.StartNew();
        while (meters.LocalReminderCount > 0)
        {
            if (watch.Elapsed > options.SettleTimeout)
            {
                results.Add(Metric, $"not within {Seconds(options.SettleTimeout)}: {meters.LocalReminderCount} left");
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }

        var settled = ProcessProbe.Memory();
        results.Add(Metric, $"after {Seconds(watch.Elapsed)} more; then working set {MiB(settled.WorkingSet)}, GC heap {MiB(settled.GcHeap)}");
    }

    private async Task<long> ClusterActivationsAsync()
    {
        var statistics = await grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();
        return statistics.Where(statistic => statistic.GrainType.Contains(nameof(ClusterGrain), StringComparison.Ordinal)).Sum(statistic => (long)statistic.ActivationCount);
    }

    private async Task<IngestResult> IngestAsync(CancellationToken cancellationToken)
    {
        var count = options.Subjects;
        var accepted = new DateTimeOffset[count];
        var latencyMs = new double[count];
        var done = 0;
        var step = Math.Max(1, count / 10);
        Log($"ingest: {count} subjects, {options.Concurrency} in flight");
        var watch = Stopwatch.StartNew();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, count), parallel, async (i, _) =>
        {
            var report = Report(i);
            var started = Stopwatch.GetTimestamp();
            var receipt = await grains.GetGrain<IClusterGrain>(keys.For(Region, report.ClusterId)).RecordReportAsync(report);
            latencyMs[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            accepted[i] = receipt.Outcome == ReportOutcome.Stored
                ? receipt.AcceptedAt
                : throw new InvalidOperationException($"Subject {i}: report {receipt.Outcome}, not stored.");
            if (Interlocked.Increment(ref done) % step == 0)
            {
                Log($"ingest: {done}/{count} in {Seconds(watch.Elapsed)}");
            }
        });
        return new IngestResult(watch.Elapsed, accepted, latencyMs);
    }

    /// <summary>Idle CPU with every reminder armed: the window ends before the first item expires.</summary>
    private async Task ArmedIdleAsync(IngestResult ingest, ResultTable results, CancellationToken cancellationToken)
    {
        const string Metric = "idle CPU, all reminders armed";
        var firstExpiry = ingest.AcceptedAt.Min() + options.ShortestRetention;
        var room = firstExpiry - DateTimeOffset.UtcNow - IdleMargin;
        if (room < TimeSpan.FromSeconds(1))
        {
            results.Add(Metric, "not measured: the first item expired during ingest (raise --ip-retention)");
            return;
        }

        await IdleAsync(Metric, room < options.Idle ? room : options.Idle, results, cancellationToken);
        // Reminders due beyond ReminderOptions.ReminderLoadingWindow leave memory at the service's next refresh.
        results.Add("reminders held in memory after the armed idle window", $"{meters.LocalReminderCount}");
    }

    /// <summary>CPU the silo process uses over <paramref name="window"/> while the bench does nothing, as a share of one core.</summary>
    private async Task IdleAsync(string metric, TimeSpan window, ResultTable results, CancellationToken cancellationToken)
    {
        Log($"{metric}: {Seconds(window)}");
        var cpu = ProcessProbe.CpuTime();
        var watch = Stopwatch.StartNew();
        await Task.Delay(window, cancellationToken);
        var used = ProcessProbe.CpuTime() - cpu;
        results.Add(metric, $"{100 * used / watch.Elapsed:0.00} % of one core over {Seconds(watch.Elapsed)}");
    }

    /// <summary>Polls until no grain_state and no reminder row is left, or the drain timeout passes the latest expiry.</summary>
    private async Task DrainAsync(IngestResult ingest, ResultTable results, CancellationToken cancellationToken)
    {
        // When each subject's last item expires; a subject still stored after that is overdue.
        var expiries = ingest.AcceptedAt.Select(accepted => accepted + options.LongestRetention).Order().ToArray();
        var latest = expiries[^1];
        var deadline = latest + options.DrainTimeout;
        Log($"drain: last item expires in {Seconds(latest - DateTimeOffset.UtcNow)}; polling until no row is left");
        long peakOverdue = 0;
        var polls = 0;
        var interruptions = 0;
        var pollTime = TimeSpan.Zero;
        var slowestPoll = TimeSpan.Zero;
        var nextProgress = DateTimeOffset.UtcNow;
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            long states, reminders;
            try
            {
                (states, reminders) = await database.CountRowsAsync(cancellationToken);
            }
            catch (NpgsqlException interrupted) when (DateTimeOffset.UtcNow < deadline)
            {
                // The server is shared: someone may restart it. The silo retries by its reminders; the bench polls on.
                interruptions++;
                Log($"drain: database unavailable ({interrupted.Message}); polling on");
                await Task.Delay(PollInterval, cancellationToken);
                continue;
            }

            var took = Stopwatch.GetElapsedTime(started);
            (polls, pollTime) = (polls + 1, pollTime + took);
            slowestPoll = took > slowestPoll ? took : slowestPoll;
            var now = DateTimeOffset.UtcNow;
            var notYetExpired = expiries.Length - ExpiredBy(expiries, now);
            peakOverdue = Math.Max(peakOverdue, states - notYetExpired);
            if (states == 0 && reminders == 0)
            {
                results.Add("lateness: latest expiry → no grain_state, no reminder row", $"{Seconds(now - latest)} (poll every {PollInterval.TotalMilliseconds:0} ms)");
                results.Add("drain span: earliest subject expiry → no row left", Seconds(now - expiries[0]));
                break;
            }

            if (now > deadline)
            {
                results.Add(
                    "lateness: latest expiry → no grain_state, no reminder row",
                    $"NOT DONE {Seconds(options.DrainTimeout)} after the latest expiry: {states} grain_state and {reminders} reminder rows left");
                break;
            }

            if (now >= nextProgress)
            {
                Log($"drain: {states} grain_state, {reminders} reminder rows; {Math.Max(0, states - notYetExpired)} subjects overdue");
                nextProgress = now + ProgressInterval;
            }

            await Task.Delay(PollInterval, cancellationToken);
        }

        results.Add("peak overdue subjects (expired, row still there)", peakOverdue.ToString(CultureInfo.InvariantCulture));
        results.Add("drain poll (count both tables) mean / max", $"{(pollTime / polls).TotalMilliseconds:0} / {slowestPoll.TotalMilliseconds:0} ms over {polls} polls");
        if (interruptions > 0)
        {
            results.Add("database unavailable during drain (failed polls)", interruptions.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static ClusterReport Report(int i) => new(
        ClusterId: Guid.NewGuid().ToString(),
        BootstrapId: Guid.NewGuid().ToString(),
        ReportId: null,
        Version: "v20161108.0",
        IpAddress: $"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}",
        Usage: ImmutableDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, double>
        {
            ["hosts"] = 3,
            ["running_jobs"] = 9 + (i % 7),
            ["running_apps"] = 4,
            ["running_formations"] = 5,
            ["postgres_dbs"] = 2,
            ["mongodb_dbs"] = 0,
            ["mysql_dbs"] = 1,
            ["redis_dbs"] = 0,
        }),
        Performance: [],
        Configuration: []);

    /// <summary>How many of the sorted <paramref name="expiries"/> are at or before <paramref name="now"/>.</summary>
    private static int ExpiredBy(DateTimeOffset[] expiries, DateTimeOffset now)
    {
        var index = Array.BinarySearch(expiries, now);
        if (index < 0)
        {
            return ~index;
        }

        while (index + 1 < expiries.Length && expiries[index + 1] == now)
        {
            index++;
        }

        return index + 1;
    }

    private static double Percentile(double[] sorted, double quantile) => sorted[(int)Math.Round(quantile * (sorted.Length - 1))];

    private void Log(string message) =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[bench {_clock.Elapsed.TotalSeconds,7:0.0} s] {message}"));

    private sealed record IngestResult(TimeSpan Elapsed, DateTimeOffset[] AcceptedAt, double[] LatencyMs);
}
