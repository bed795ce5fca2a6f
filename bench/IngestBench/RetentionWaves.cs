using System.Globalization;
using Npgsql;

namespace PrimeDirective.IngestBench;

/// <summary>
/// Figure 6: N new subjects (clusters) report once each through the gateway as fast as it takes them (durable). Each
/// report's IP address and its raw report expire in two waves as long as the ingest; the second starts an eighth of
/// the expected ingest after the first, so for most of their length the waves overlap and items expire at twice the
/// ingest rate. The bench polls the database until every row the ingest wrote (grain state, reminders, report rows,
/// whatever tables the build has) is gone: <b>lateness</b> is the time from the latest expiry to that poll. Pool
/// exhaustion is read from the gateway's log.
/// </summary>
internal static class RetentionWaves
{
    /// <summary>
    /// Tables that hold no subject's data, or keep rows by design after destruction (ledger counts, tombstones, the
    /// anonymous aggregates, which are kept forever).
    /// </summary>
    private static readonly string[] s_kept =
        ["orleansquery", "membership_version", "membership_member", "schema_migration", "destruction_ledger", "grain_state_tombstone", "aggregate_count"];

    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan s_progressInterval = TimeSpan.FromSeconds(15);

    /// <param name="expectedRate">First reports per second expected (sets the retentions so the waves come after the ingest).</param>
    public static Task<RetentionResult> RunAsync(BenchPostgres postgres, IngestOptions options, double expectedRate, CancellationToken cancellationToken) =>
        RunAsync(postgres, options, expectedRate, halfLoadRate: 0, cancellationToken);

    /// <param name="expectedRate">First reports per second expected (sets the retentions so the waves come after the ingest).</param>
    /// <param name="halfLoadRate">
    /// Above zero: the <see cref="HalfLoad"/> at this rate, from before the subjects' ingest until the drain ends, to
    /// clusters of its own region; the drain does not count that region's rows (they keep coming: the load never stops).
    /// </param>
    public static async Task<RetentionResult> RunAsync(
        BenchPostgres postgres, IngestOptions options, double expectedRate, double halfLoadRate, CancellationToken cancellationToken)
    {
        var expectedIngest = TimeSpan.FromSeconds(options.Subjects / expectedRate);
        var ipRetention = WholeSeconds((expectedIngest * 1.15) + TimeSpan.FromSeconds(10));
        var gap = WholeSeconds(TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(2).Ticks, expectedIngest.Ticks / 8)));
        var reportRetention = ipRetention + gap;
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Retention__IpAddress"] = ipRetention.ToString("c", CultureInfo.InvariantCulture),
            ["Retention__RawReport"] = reportRetention.ToString("c", CultureInfo.InvariantCulture),
            // Orleans' minimum reminder period: a destruction that failed comes again a minute later.
            ["Retention__RetryPeriod"] = "00:01:00",
        };
        Progress.Log($"retention: {options.Subjects} subjects, expected ingest {expectedIngest.TotalSeconds:0} s; IP address kept {ipRetention:c}, raw report {reportRetention:c}");

        await using var database = await BenchDatabase.CreateAsync(postgres.Server, cancellationToken);
        await using var gateway = await GatewayProcess.StartAsync(database.ConnectionString, settings, cancellationToken);
        using var load = new FlynnLoad(gateway.Address, options.Clients);
        var before = await database.CountTablesAsync(only: null, cancellationToken);
        await using var halfLoad = halfLoadRate > 0
            ? await HalfLoad.StartAsync(gateway.Address, options.Clusters, halfLoadRate, HalfLoad.Workers(options), cancellationToken)
            : null;
        var excluded = halfLoad is null ? EpochKeys : $"{HalfLoadRows}|{EpochKeys}";
        var clusters = FlynnCluster.Many(options.Subjects);
        var sentAt = new DateTimeOffset[clusters.Length];
        var ingest = await load.RunAllAsync(clusters, FlynnLoad.Passes(clusters.Length, 1), sentAt, cancellationToken);
        var ingestEnd = DateTimeOffset.UtcNow;
        var afterIngest = await database.CountTablesAsync(only: null, excluded, cancellationToken);
        var written = afterIngest.Where(pair => pair.Value > before.GetValueOrDefault(pair.Key) && !s_kept.Contains(pair.Key, StringComparer.Ordinal))
            .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);
        var tables = string.Join(", ", written.Select(pair => $"{pair.Key} {pair.Value}"));
        Progress.Log($"retention: ingested {ingest.Ok} in {ingest.Elapsed.TotalSeconds:0.0} s ({ingest.Rate:0}/s); rows written: {tables}");

        // Expiry is counted from when each request was sent, before the gateway accepted it: lateness is never flattered.
        var first = sentAt.Where(at => at != default).Min();
        var last = sentAt.Max();
        var latestExpiry = last + reportRetention;
        var drain = await DrainAsync(database, [.. written.Keys], excluded, latestExpiry, options.DrainTimeout, cancellationToken);
        var all = await database.CountTablesAsync(written.Keys, cancellationToken);
        var counted = await database.CountTablesAsync(written.Keys, excluded, cancellationToken);
        var uncounted = string.Join(", ", all.Where(pair => pair.Value > counted[pair.Key]).Select(pair => $"{pair.Key} {pair.Value - counted[pair.Key]}"));
        var background = halfLoad is null ? null : await halfLoad.StopAsync();
        var span = last - first;
        return new RetentionResult(
            ingest,
            ipRetention,
            reportRetention,
            Overlap: span > gap ? span - gap : TimeSpan.Zero,
            WaveLength: span,
            ExpiriesBeforeIngestEnded: first + ipRetention < ingestEnd,
            tables,
            drain.Lateness,
            drain.Left,
            drain.LeftRows,
            uncounted,
            drain.DrainSpan(first + ipRetention),
            gateway.PoolExhaustedLines,
            gateway.Failures,
            gateway.Warnings,
            gateway.FirstFailures,
            background,
            halfLoadRate);
    }

    /// <summary>
    /// A row of the half-load's region: a text column holding a subject key of that region (<c>{region}/{64 hex digits}</c>:
    /// grain keys, reminder grain ids, report and registry rows, subject data keys).
    /// </summary>
    private static string HalfLoadRows => $"(^|/){HalfLoad.Region}/[0-9a-f]{{64}}";

    /// <summary>
    /// An expiry epoch's key in the key store (<c>epoch|{region}|{category}|{day}</c>): one per region, category and UTC
    /// day, not a subject's, destroyed when its day ends by design (a second lock on values already deleted), so it
    /// outlives the rows retention destroys at their expiry. Not counted in the drain; the note says how many were left.
    /// </summary>
    private const string EpochKeys = "^epoch\\|";

    private static async Task<Drain> DrainAsync(
        BenchDatabase database, string[] tables, string? excluded, DateTimeOffset latestExpiry, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = latestExpiry + timeout;
        var nextProgress = DateTimeOffset.UtcNow;
        Progress.Log($"retention: latest expiry in {(latestExpiry - DateTimeOffset.UtcNow).TotalSeconds:0} s; polling {string.Join(", ", tables)} until empty");
        while (true)
        {
            Dictionary<string, long> counts;
            try
            {
                counts = await database.CountTablesAsync(tables, excluded, cancellationToken);
            }
            catch (NpgsqlException interrupted) when (DateTimeOffset.UtcNow < deadline)
            {
                Progress.Log($"retention: database unavailable ({interrupted.Message}); polling on");
                await Task.Delay(s_pollInterval, cancellationToken);
                continue;
            }

            var now = DateTimeOffset.UtcNow;
            var left = counts.Values.Sum();
            if (left == 0)
            {
                return new Drain(now - latestExpiry, 0, now, string.Empty);
            }

            if (now > deadline)
            {
                return new Drain(null, left, now, string.Join(", ", counts.Where(pair => pair.Value > 0).Select(pair => $"{pair.Key} {pair.Value}")));
            }

            if (now >= nextProgress)
            {
                Progress.Log($"retention: {string.Join(", ", counts.Select(pair => $"{pair.Key} {pair.Value}"))} left; latest expiry {(now - latestExpiry).TotalSeconds:+0;-0} s");
                nextProgress = now + s_progressInterval;
            }

            await Task.Delay(s_pollInterval, cancellationToken);
        }
    }

    private static TimeSpan WholeSeconds(TimeSpan duration) => TimeSpan.FromSeconds(Math.Ceiling(duration.TotalSeconds));

    /// <param name="Lateness">Latest expiry → the poll that saw no row; <c>null</c> when rows were left at the deadline.</param>
    /// <param name="LeftRows">The tables with rows left, and how many (empty when none).</param>
    private sealed record Drain(TimeSpan? Lateness, long Left, DateTimeOffset At, string LeftRows)
    {
        public TimeSpan DrainSpan(DateTimeOffset firstExpiry) => At - firstExpiry;
    }
}

/// <param name="Overlap">How long both waves expire at once (≈ twice the ingest rate).</param>
/// <param name="WaveLength">How long each wave lasts (the ingest, from first to last request sent).</param>
/// <param name="WrittenRows">Tables the ingest wrote to, with their rows after it.</param>
/// <param name="Left">Rows still there when the drain gave up.</param>
/// <param name="LeftRows">Which tables held them, with their counts.</param>
/// <param name="Uncounted">Rows of those tables the drain did not count (expiry epoch keys, the half-load's), by table, at its end.</param>
/// <param name="DrainSpan">First expiry → no row left (or → giving up).</param>
internal sealed record RetentionResult(
    LoadResult Ingest,
    TimeSpan IpRetention,
    TimeSpan ReportRetention,
    TimeSpan Overlap,
    TimeSpan WaveLength,
    bool ExpiriesBeforeIngestEnded,
    string WrittenRows,
    TimeSpan? Lateness,
    long Left,
    string LeftRows,
    string Uncounted,
    TimeSpan DrainSpan,
    long PoolExhaustedLines,
    long LoggedErrors,
    long LoggedWarnings,
    IReadOnlyList<string> FirstErrors,
    LoadResult? HalfLoad = null,
    double HalfLoadTarget = 0);
