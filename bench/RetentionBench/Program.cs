using Microsoft.Extensions.DependencyInjection;
using PrimeDirective.Bench;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.RetentionBench;
using static PrimeDirective.RetentionBench.ResultTable;

// Retention at scale: N cluster grains with pending expiry on one silo, on a fresh PostgreSQL database.
// Not a test (scripts/test.sh never runs it); results and how to reproduce them are in docs/BENCHMARKS.md.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException invalid)
{
    Console.Error.WriteLine(invalid.Message);
    return 2;
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, press) =>
{
    press.Cancel = true;
    cancellation.Cancel();
};

var results = new ResultTable();
results.Add("subjects", $"{options.Subjects}");
results.Add("retention: IP address / raw report; retry period", $"{options.IpRetention:c} / {options.ReportRetention:c}; {options.RetryPeriod:c}");
results.Add(
    "machine at start",
    $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, load average {Machine.LoadAverage()}");

// Listening before the silo starts, so no instrument's early measurements are missed.
using var meters = new OrleansMeters();
var server = await BenchServer.ResolveAsync(cancellation.Token);
await using var database = await BenchDatabase.CreateAsync(server, cancellation.Token);
var serviceId = $"retention-bench-{Guid.NewGuid():N}";
Console.Error.WriteLine($"[bench] database {database.Name}, service {serviceId}");
using var silo = await BenchSilo.StartAsync(options, database.ConnectionString, serviceId, cancellation.Token);
var wall = System.Diagnostics.Stopwatch.StartNew();
var exitCode = 0;
try
{
    var run = new RetentionRun(
        options,
        silo.Services.GetRequiredService<IGrainFactory>(),
        silo.Services.GetRequiredService<ClusterKeys>(),
        database,
        meters,
        serviceId);
    await run.RunAsync(results, cancellation.Token);
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    results.Add("aborted", "cancelled before the run finished; rows above are what it measured");
}
catch (Exception failure) when (failure is not OperationCanceledException)
{
    // How far a run got is a result too.
    results.Add("FAILED", $"{failure.GetType().Name}: {failure.Message.ReplaceLineEndings(" ")}; rows above are what it measured");
    exitCode = 1;
}
finally
{
    await silo.StopAsync(CancellationToken.None);
}

results.Add("wall time (silo started → end); load average at end", $"{Seconds(wall.Elapsed)}; {Machine.LoadAverage()}");
var table = results.Render();
Console.WriteLine(table);
if (options.Out is { } path)
{
    await File.WriteAllTextAsync(path, table);
}

return exitCode;
