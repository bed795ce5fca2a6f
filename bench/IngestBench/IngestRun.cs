namespace PrimeDirective.IngestBench;

/// <summary>
/// Figures 2 and 7: Flynn ingest through the gateway over real HTTP, durable (a fresh database) or in memory.
/// First every cluster reports once (new subjects: the rate of first reports), then the clients report round-robin
/// over all clusters, unmeasured for the warm-up (a fresh process spends its first seconds compiling the hot path
/// again at tier 1), then measured for the window.
/// </summary>
internal static class IngestRun
{
    /// <param name="durable">On a fresh database of <paramref name="postgres"/>, or in memory.</param>
    /// <param name="during">Started with the window and awaited after it, given the gateway's process id (the profiler).</param>
    public static async Task<IngestResult> RunAsync(
        BenchPostgres postgres, bool durable, IngestOptions options, TimeSpan window, Func<int, Task>? during, CancellationToken cancellationToken)
    {
        await using var database = durable ? await BenchDatabase.CreateAsync(postgres.Server, cancellationToken) : null;
        await using var gateway = await GatewayProcess.StartAsync(database?.ConnectionString, new Dictionary<string, string>(), cancellationToken);
        using var load = new FlynnLoad(gateway.Address, options.Clients);
        var clusters = FlynnCluster.Many(options.Clusters);
        var first = await load.RunAllAsync(clusters, FlynnLoad.Passes(clusters.Length, 1), sentAt: null, cancellationToken);
        if (options.Warmup > TimeSpan.Zero)
        {
            await load.RunForAsync(clusters, options.Warmup, cancellationToken);
        }

        var profiling = during?.Invoke(gateway.ProcessId) ?? Task.CompletedTask;
        var start = ProcessCpu.Sample(gateway.ProcessId, postgres.PostmasterPid);
        var measured = await load.RunForAsync(clusters, window, cancellationToken);
        var cpu = ProcessCpu.Between(start, ProcessCpu.Sample(gateway.ProcessId, postgres.PostmasterPid));
        await profiling;
        return new IngestResult(first, measured, cpu, gateway.Failures, gateway.FirstFailures);
    }
}

/// <param name="First">Each cluster's first report (new subjects).</param>
/// <param name="Window">Round-robin over the clusters for the window.</param>
/// <param name="LoggedErrors">Error entries the gateway logged.</param>
/// <param name="Cpu">Cores used during the window, by process.</param>
internal sealed record IngestResult(LoadResult First, LoadResult Window, CpuSplit Cpu, long LoggedErrors, IReadOnlyList<string> FirstErrors);
