using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace PrimeDirective.IngestBench;

/// <summary>A Flynn cluster as the scheduler identifies itself.</summary>
internal sealed record FlynnCluster(string ClusterId, string BootstrapId)
{
    public static FlynnCluster[] Many(int count) =>
        [.. Enumerable.Range(0, count).Select(_ => new FlynnCluster(Guid.NewGuid().ToString(), Guid.NewGuid().ToString()))];

    /// <summary>The request Flynn's scheduler sends (<c>GET /measure/scheduler</c>), with its usual counts.</summary>
    public Uri SchedulerReport(int index) => new(
        string.Create(
            CultureInfo.InvariantCulture,
            $"/measure/scheduler?id_version=v20161108.0&id_bootstrap={BootstrapId}&id_cluster={ClusterId}&ct_hosts=3&ct_running_jobs={9 + (index % 7)}&ct_running_apps=4&ct_running_formations=5&ct_postgres_dbs=2&ct_mongodb_dbs=0&ct_mysql_dbs=1&ct_redis_dbs=0"),
        UriKind.Relative);
}

/// <summary>What one load run did: answered requests, their latencies, failures.</summary>
internal sealed record LoadResult(long Ok, long Failed, TimeSpan Elapsed, double[] SortedLatencyMs, string? FirstFailure)
{
    public double Rate => Ok / Elapsed.TotalSeconds;

    public double Percentile(double quantile) =>
        SortedLatencyMs.Length == 0 ? double.NaN : SortedLatencyMs[(int)Math.Round(quantile * (SortedLatencyMs.Length - 1))];
}

/// <summary>
/// Flynn's schedulers over real HTTP: <c>clients</c> concurrent workers on one HttpClient (loopback, keep-alive, enough
/// connections for every worker), each sending its next report as soon as the previous one is answered.
/// </summary>
internal sealed class FlynnLoad(Uri gateway, int clients) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = clients * 2,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        UseProxy = false,
    })
    {
        BaseAddress = gateway,
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>Reports to <paramref name="clusters"/> round-robin for <paramref name="window"/>.</summary>
    public Task<LoadResult> RunForAsync(IReadOnlyList<FlynnCluster> clusters, TimeSpan window, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        long next = -1;
        return RunAsync(
            () =>
            {
                if (watch.Elapsed >= window)
                {
                    return -1;
                }

                return (int)(Interlocked.Increment(ref next) % clusters.Count);
            },
            clusters,
            sentAt: null,
            cancellationToken);
    }

    /// <summary>
    /// One report per entry of <paramref name="order"/> (an index into <paramref name="clusters"/>), in that order;
    /// when <paramref name="sentAt"/> is given, the time each entry's request was sent.
    /// </summary>
    public Task<LoadResult> RunAllAsync(IReadOnlyList<FlynnCluster> clusters, int[] order, DateTimeOffset[]? sentAt, CancellationToken cancellationToken)
    {
        long next = -1;
        return RunAsync(
            () =>
            {
                var position = Interlocked.Increment(ref next);
                return position < order.Length ? (int)position : -1;
            },
            clusters,
            sentAt is null ? null : (position, at) => sentAt[position] = at,
            cancellationToken,
            order);
    }

    /// <summary>Every cluster once per pass, <paramref name="passes"/> times: at most one report per cluster in flight while clusters outnumber clients.</summary>
    public static int[] Passes(int clusters, int passes) =>
        [.. Enumerable.Range(0, passes).SelectMany(_ => Enumerable.Range(0, clusters))];

    private async Task<LoadResult> RunAsync(
        Func<int> take, IReadOnlyList<FlynnCluster> clusters, Action<int, DateTimeOffset>? sentAt, CancellationToken cancellationToken, int[]? order = null)
    {
        var latencies = new List<double>[clients];
        long ok = 0;
        long failed = 0;
        string? firstFailure = null;
        var watch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(worker => Task.Run(
            async () =>
            {
                var mine = latencies[worker] = new List<double>(4096);
                for (var position = take(); position >= 0; position = take())
                {
                    var cluster = clusters[order is null ? position : order[position]];
                    sentAt?.Invoke(position, DateTimeOffset.UtcNow);
                    var started = Stopwatch.GetTimestamp();
                    string? failure;
                    try
                    {
                        using var response = await _http.GetAsync(cluster.SchedulerReport(position), HttpCompletionOption.ResponseContentRead, cancellationToken);
                        failure = response.StatusCode == HttpStatusCode.OK ? null : $"HTTP {(int)response.StatusCode}";
                    }
                    catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
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
            },
            cancellationToken)).ToArray();
        await Task.WhenAll(workers);
        var elapsed = watch.Elapsed;
        var sorted = latencies.SelectMany(list => list).Order().ToArray();
        return new LoadResult(ok, failed, elapsed, sorted, firstFailure);
    }

    public void Dispose() => _http.Dispose();
}
