namespace PrimeDirective.IngestBench;

/// <summary>
/// Figures 4 and 5: the rate of reports, and the WAL bytes each writes, to clusters that each hold 1 report and to
/// clusters that each hold 360, measured back to back in the same warm process on the same database. Two sets of K
/// clusters: the full set is filled to 360 first (through the same HTTP route, unmeasured), then the other set gets
/// its first report. A measured batch is M passes over a set (every cluster one report per pass), taken in two halves
/// that alternate between the sets, so warm-up and database growth weigh on both alike: a cluster of the first set
/// holds 1 → 1 + M during its batch, one of the full set 360 → 360 + M.
/// </summary>
internal static class HeldHistory
{
    private const int PrefillPassesPerStep = 25;

    public static async Task<HeldResult> RunAsync(BenchPostgres postgres, IngestOptions options, CancellationToken cancellationToken)
    {
        await using var database = await BenchDatabase.CreateAsync(postgres.Server, cancellationToken);
        await using var gateway = await GatewayProcess.StartAsync(database.ConnectionString, new Dictionary<string, string>(), cancellationToken);
        using var load = new FlynnLoad(gateway.Address, options.Clients);
        if (options.Warmup > TimeSpan.Zero)
        {
            await load.RunForAsync(FlynnCluster.Many(options.HeldClusters), options.Warmup, cancellationToken);
        }

        var full = FlynnCluster.Many(options.HeldClusters);
        long failed = 0;
        var filled = 0;
        var fill = System.Diagnostics.Stopwatch.StartNew();
        while (filled < options.Held)
        {
            var passes = Math.Min(PrefillPassesPerStep, options.Held - filled);
            failed += (await load.RunAllAsync(full, FlynnLoad.Passes(full.Length, passes), sentAt: null, cancellationToken)).Failed;
            filled += passes;
            Progress.Log($"held: each cluster of the full set holds {filled} ({fill.Elapsed.TotalSeconds:0} s)");
        }

        var fillRate = (double)options.Held * full.Length / fill.Elapsed.TotalSeconds;
        var fresh = FlynnCluster.Many(options.HeldClusters);
        failed += (await load.RunAllAsync(fresh, FlynnLoad.Passes(fresh.Length, 1), sentAt: null, cancellationToken)).Failed;

        var first = options.HeldBatch / 2;
        var low = await MeasureAsync(load, fresh, first, database, cancellationToken);
        var high = await MeasureAsync(load, full, first, database, cancellationToken);
        low = low.Add(await MeasureAsync(load, fresh, options.HeldBatch - first, database, cancellationToken));
        high = high.Add(await MeasureAsync(load, full, options.HeldBatch - first, database, cancellationToken));
        Progress.Log($"held: 1 report each → {low.Rate:0} reports/s, {low.WalBytesPerReport:0} WAL bytes/report; " +
            $"{options.Held} each → {high.Rate:0} reports/s, {high.WalBytesPerReport:0} WAL bytes/report");
        var size = await database.SizeAsync(cancellationToken);
        return new HeldResult(low, high, fillRate, failed + low.Failed + high.Failed, size, gateway.Failures);
    }

    private static async Task<HeldBatch> MeasureAsync(
        FlynnLoad load, FlynnCluster[] clusters, int passes, BenchDatabase database, CancellationToken cancellationToken)
    {
        var before = await database.WalPositionAsync(cancellationToken);
        var result = await load.RunAllAsync(clusters, FlynnLoad.Passes(clusters.Length, passes), sentAt: null, cancellationToken);
        var after = await database.WalPositionAsync(cancellationToken);
        return new HeldBatch(result.Ok, result.Failed, result.Elapsed, after - before);
    }
}

/// <summary>Measured batches of one set of clusters.</summary>
/// <param name="WalBytes">WAL the server wrote during the batches.</param>
internal sealed record HeldBatch(long Ok, long Failed, TimeSpan Elapsed, long WalBytes)
{
    public double Rate => Ok / Elapsed.TotalSeconds;

    public double WalBytesPerReport => WalBytes / (double)Math.Max(1, Ok);

    public HeldBatch Add(HeldBatch other) => new(Ok + other.Ok, Failed + other.Failed, Elapsed + other.Elapsed, WalBytes + other.WalBytes);
}

/// <param name="FillRate">Reports/s while filling the full set to 360 held (unmeasured figure, for the reader).</param>
/// <param name="FailedRequests">Requests not answered 200, over the whole run.</param>
/// <param name="DatabaseBytes">The database's size at the end.</param>
internal sealed record HeldResult(HeldBatch Low, HeldBatch High, double FillRate, long FailedRequests, long DatabaseBytes, long LoggedErrors);
