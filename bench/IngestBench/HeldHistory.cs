namespace PrimeDirective.IngestBench;

/// <summary>
/// Figures 4 and 5: the rate of reports, and the WAL bytes each writes, while each of K clusters holds 1 report and
/// again once each holds 360. A measured batch is M passes over the K clusters (every cluster one report per pass),
/// so a cluster holds 1 → 1 + M during the first batch and 360 → 360 + M during the second; between them the
/// clusters are filled up through the same HTTP route, unmeasured. Before the first batch, other clusters warm the
/// fresh process up for the warm-up time.
/// </summary>
internal static class HeldHistory
{
    private const int PrefillPassesPerStep = 25;

    public static async Task<HeldResult> RunAsync(BenchPostgres postgres, IngestOptions options, CancellationToken cancellationToken)
    {
        await using var database = await BenchDatabase.CreateAsync(postgres.Server, cancellationToken);
        await using var gateway = await GatewayProcess.StartAsync(database.ConnectionString, new Dictionary<string, string>(), cancellationToken);
        using var load = new FlynnLoad(gateway.Address, options.Clients);
        var clusters = FlynnCluster.Many(options.HeldClusters);
        if (options.Warmup > TimeSpan.Zero)
        {
            await load.RunForAsync(FlynnCluster.Many(clusters.Length), options.Warmup, cancellationToken);
        }

        var failed = (await load.RunAllAsync(clusters, FlynnLoad.Passes(clusters.Length, 1), sentAt: null, cancellationToken)).Failed;

        var low = await MeasureAsync(load, clusters, options.HeldBatch, database, cancellationToken);
        Progress.Log($"held: 1 report each → {low.Load.Rate:0} reports/s, {low.WalBytesPerReport:0} WAL bytes/report; filling up to {options.Held}");
        var prefill = options.Held - 1 - options.HeldBatch;
        var filled = 0;
        var fill = System.Diagnostics.Stopwatch.StartNew();
        while (filled < prefill)
        {
            var passes = Math.Min(PrefillPassesPerStep, prefill - filled);
            failed += (await load.RunAllAsync(clusters, FlynnLoad.Passes(clusters.Length, passes), sentAt: null, cancellationToken)).Failed;
            filled += passes;
            Progress.Log($"held: each cluster holds {1 + options.HeldBatch + filled} ({fill.Elapsed.TotalSeconds:0} s)");
        }

        var fillRate = (double)prefill * clusters.Length / fill.Elapsed.TotalSeconds;
        var high = await MeasureAsync(load, clusters, options.HeldBatch, database, cancellationToken);
        Progress.Log($"held: {options.Held} reports each → {high.Load.Rate:0} reports/s, {high.WalBytesPerReport:0} WAL bytes/report");
        var size = await database.SizeAsync(cancellationToken);
        return new HeldResult(low, high, fillRate, failed + low.Load.Failed + high.Load.Failed, size, gateway.Failures);
    }

    private static async Task<HeldBatch> MeasureAsync(
        FlynnLoad load, FlynnCluster[] clusters, int passes, BenchDatabase database, CancellationToken cancellationToken)
    {
        var before = await database.WalPositionAsync(cancellationToken);
        var result = await load.RunAllAsync(clusters, FlynnLoad.Passes(clusters.Length, passes), sentAt: null, cancellationToken);
        var after = await database.WalPositionAsync(cancellationToken);
        return new HeldBatch(result, (after - before) / (double)Math.Max(1, result.Ok));
    }
}

/// <param name="Load">The batch's requests.</param>
/// <param name="WalBytesPerReport">WAL the server wrote during the batch, per answered report.</param>
internal sealed record HeldBatch(LoadResult Load, double WalBytesPerReport);

/// <param name="FillRate">Reports/s while filling from 1 + M to 360 held (unmeasured figure, for the reader).</param>
/// <param name="FailedRequests">Requests not answered 200, over the whole run.</param>
/// <param name="DatabaseBytes">The database's size once every cluster holds 360 + M reports.</param>
internal sealed record HeldResult(HeldBatch Low, HeldBatch High, double FillRate, long FailedRequests, long DatabaseBytes, long LoggedErrors);
