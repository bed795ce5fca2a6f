using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Clusters;

namespace PrimeDirective.Grains.Stats;

/// <summary>
/// The silo's collector of aggregate increments: cluster grains hand over their first report of a day without
/// waiting, and a loop writes what gathered, summed per bucket, in one transaction per interval. A report never waits
/// for the aggregates.
/// </summary>
public sealed partial class AggregateProjector(IAggregateStore store, IOptions<StatsOptions> options, ILogger<AggregateProjector> logger) : BackgroundService
{
    private readonly Lock _gate = new();
    private Dictionary<(DateOnly, string, string), AggregateCount> _pending = [];

    /// <summary>Adds the buckets of a cluster's first report on <paramref name="day"/>, its apps and jobs clamped to their bounds.</summary>
    public void AddFirstReport(ClusterReport report, DateOnly day) =>
        Add(AggregateBuckets.Of(report, day, options.Value.MaxAppsPerCluster, options.Value.MaxJobsPerCluster));

    /// <summary>Adds increments to the next batch.</summary>
    public void Add(IEnumerable<AggregateCount> increments)
    {
        ArgumentNullException.ThrowIfNull(increments);
        lock (_gate)
        {
            foreach (var increment in increments)
            {
                Merge(_pending, increment);
            }
        }
    }

    /// <summary>Writes what gathered; on failure it stays for the next attempt.</summary>
    public async Task FlushAsync()
    {
        Dictionary<(DateOnly, string, string), AggregateCount> batch;
        lock (_gate)
        {
            if (_pending.Count == 0)
            {
                return;
            }

            (batch, _pending) = (_pending, []);
        }

        try
        {
            await store.AddAsync(batch.Values, options.Value.MaxBucketsPerMetric);
        }
        catch
        {
            lock (_gate)
            {
                foreach (var increment in batch.Values)
                {
                    Merge(_pending, increment);
                }
            }

            throw;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.FlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await TryFlushAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: what gathered is written once more below.
        }

        await TryFlushAsync();
    }

    private async Task TryFlushAsync()
    {
        try
        {
            await FlushAsync();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogFailed(logger, exception.GetType().Name);
        }
    }

    private static void Merge(Dictionary<(DateOnly, string, string), AggregateCount> into, AggregateCount increment)
    {
        var key = (increment.Day, increment.Metric, increment.Bucket);
        into[key] = into.TryGetValue(key, out var held) ? held.Plus(increment) : increment;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing aggregate increments failed ({Error}); the next interval retries")]
    private static partial void LogFailed(ILogger logger, string error);
}
