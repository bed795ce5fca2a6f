using System.Diagnostics;
using System.Net;

namespace PrimeDirective.IngestBench;

/// <summary>
/// The rate-limited background ingest of issue 21's half-load figures: Flynn reports over real HTTP to the figure's own
/// gateway at a fixed rate (half the run's measured maximum), from clusters of their own in a region of their own, so
/// the figure can tell its subjects' rows from the load's. Request <c>i</c> is due at <c>start + i ÷ rate</c> (open
/// loop: a slow answer does not slow the schedule, it only takes a worker); the achieved rate is what a reader checks.
/// </summary>
internal sealed class HalfLoad : IAsyncDisposable
{
    /// <summary>The region the load's clusters report to (the figures' subjects are in the gateway's home region, eu).</summary>
    public const string Region = "us";

    private readonly HttpClient _http;
    private readonly FlynnCluster[] _clusters;
    private readonly CancellationTokenSource _stop;
    private readonly Task<LoadResult> _running;

    private HalfLoad(HttpClient http, FlynnCluster[] clusters, double rate, int workers, CancellationToken cancellationToken)
    {
        _http = http;
        _clusters = clusters;
        Target = rate;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _running = RunAsync(rate, long.MaxValue, workers, _stop.Token);
    }

    /// <summary>
    /// Workers enough to keep the schedule when answers slow down under the figure's own work: twice the clients that
    /// measured the maximum (at half its rate each worker is idle most of the time; an idle worker costs nothing).
    /// </summary>
    public static int Workers(IngestOptions options) => options.Clients * 2;

    /// <summary>Requests per second asked for.</summary>
    public double Target { get; }

    /// <summary>
    /// Gives <paramref name="clusterCount"/> new clusters their first report (unpaced, unmeasured: a known cluster is what
    /// steady ingest sends to), then starts reporting to them round-robin at <paramref name="rate"/> until stopped.
    /// </summary>
    public static async Task<HalfLoad> StartAsync(Uri gateway, int clusterCount, double rate, int workers, CancellationToken cancellationToken)
    {
        if (!(rate > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The half-load needs a measured maximum rate above zero.");
        }

        var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = workers * 2,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
        })
        {
            BaseAddress = gateway,
            Timeout = TimeSpan.FromSeconds(60),
        };
        var clusters = FlynnCluster.Many(clusterCount);
        try
        {
            var first = await RunAsync(http, clusters, double.PositiveInfinity, clusters.Length, workers, cancellationToken);
            Progress.Log($"half-load: {first.Ok} clusters in region {Region} reported once ({first.Failed} failed); now {rate:0} req/s");
        }
        catch
        {
            http.Dispose();
            throw;
        }

        return new HalfLoad(http, clusters, rate, workers, cancellationToken);
    }

    /// <summary>Stops the load and returns what it did from its start (rate, latencies, failures).</summary>
    public async Task<LoadResult> StopAsync()
    {
        await _stop.CancelAsync();
        return await _running;
    }

    private Task<LoadResult> RunAsync(double rate, long count, int workers, CancellationToken stop) =>
        RunAsync(_http, _clusters, rate, count, workers, stop);

    /// <param name="rate">Requests per second; infinity for as fast as answered.</param>
    /// <param name="count">Requests to send at most.</param>
    /// <param name="stop">Ends the schedule (requests in flight are still awaited and counted).</param>
    private static async Task<LoadResult> RunAsync(HttpClient http, FlynnCluster[] clusters, double rate, long count, int workers, CancellationToken stop)
    {
        var latencies = new List<double>[workers];
        long ok = 0;
        long failed = 0;
        long next = -1;
        string? firstFailure = null;
        var watch = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, workers).Select(worker => Task.Run(async () =>
        {
            var mine = latencies[worker] = new List<double>(4096);
            while (!stop.IsCancellationRequested)
            {
                var position = Interlocked.Increment(ref next);
                if (position >= count)
                {
                    return;
                }

                var wait = double.IsPositiveInfinity(rate) ? TimeSpan.Zero : TimeSpan.FromSeconds(position / rate) - watch.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(wait, stop);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }

                var cluster = clusters[position % clusters.Length];
                var started = Stopwatch.GetTimestamp();
                string? failure;
                try
                {
                    // Sent without the stop token: a request once sent is answered and counted, never abandoned half-way.
                    using var response = await http.GetAsync(new Uri($"/{Region}{cluster.SchedulerReport((int)(position % int.MaxValue))}", UriKind.Relative));
                    failure = response.StatusCode == HttpStatusCode.OK ? null : $"HTTP {(int)response.StatusCode}";
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    failure = exception.GetType().Name;
                }

                if (failure is null)
                {
                    mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    Interlocked.Increment(ref ok);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstFailure, failure, null);
                }
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        return new LoadResult(ok, failed, watch.Elapsed, [.. latencies.SelectMany(list => list).Order()], firstFailure);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
            // Stopped with the run.
        }

        _stop.Dispose();
        _http.Dispose();
    }
}
