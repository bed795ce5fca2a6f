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
    /// <param name="phases">A figure's settings for the gateway and its look at each phase (none: the gateway as configured here).</param>
    public static async Task<IngestResult> RunAsync(
        BenchPostgres postgres, bool durable, IngestOptions options, TimeSpan window, Func<int, Task>? during, CancellationToken cancellationToken,
        IngestPhases? phases = null)
    {
        await using var database = durable ? await BenchDatabase.CreateAsync(postgres.Server, cancellationToken) : null;
        await using var gateway = await GatewayProcess.StartAsync(database?.ConnectionString, phases?.Settings ?? new Dictionary<string, string>(), cancellationToken);
        Task At(IngestPhase phase) => phases?.AtAsync(phase, database?.ConnectionString, cancellationToken) ?? Task.CompletedTask;
        using var load = new FlynnLoad(gateway.Address, options.Clients);
        var clusters = FlynnCluster.Many(options.Clusters);
        await At(IngestPhase.Ready);
        var first = await load.RunAllAsync(clusters, FlynnLoad.Passes(clusters.Length, 1), sentAt: null, cancellationToken);
        await At(IngestPhase.FirstReportsEnded);
        if (options.Warmup > TimeSpan.Zero)
        {
            await load.RunForAsync(clusters, options.Warmup, cancellationToken);
        }

        await At(IngestPhase.WindowStarting);
        var profiling = during?.Invoke(gateway.ProcessId) ?? Task.CompletedTask;
        var start = ProcessCpu.Sample(gateway.ProcessId, postgres.PostmasterPid);
        var measured = await load.RunForAsync(clusters, window, cancellationToken);
        var cpu = ProcessCpu.Between(start, ProcessCpu.Sample(gateway.ProcessId, postgres.PostmasterPid));
        await profiling;
        await At(IngestPhase.WindowEnded);
        return new IngestResult(first, measured, cpu, gateway.Failures, gateway.FirstFailures);
    }
}

/// <param name="First">Each cluster's first report (new subjects).</param>
/// <param name="Window">Round-robin over the clusters for the window.</param>
/// <param name="LoggedErrors">Error entries the gateway logged.</param>
/// <param name="Cpu">Cores used during the window, by process.</param>
internal sealed record IngestResult(LoadResult First, LoadResult Window, CpuSplit Cpu, long LoggedErrors, IReadOnlyList<string> FirstErrors)
{
    /// <summary>The first request that failed, or else the first error the gateway logged; null if none.</summary>
    public string? FirstFailure => Window.FirstFailure ?? First.FirstFailure ?? (FirstErrors.Count > 0 ? FirstErrors[0] : null);
}
