using System.Globalization;

namespace PrimeDirective.IngestBench;

/// <summary>
/// The hot path's profile (<c>--profile DIR</c>), after the measured rounds so it never slows a figure: the same load as
/// figures 2 and 7, durable and in memory, with <c>dotnet-counters</c> and <c>dotnet-trace</c> (sampled thread time)
/// attached to the gateway's process for the window; then <c>dotnet-trace report topN</c> of each trace.
/// Install the tools with <c>dotnet tool install -g dotnet-trace</c> and <c>dotnet tool install -g dotnet-counters</c>.
/// </summary>
internal static class Profiler
{
    private const string Counters =
        "System.Runtime,Microsoft.AspNetCore.Hosting,Microsoft.AspNetCore.Server.Kestrel,System.Net.Sockets,Npgsql,Microsoft.Orleans";

    /// <returns>The summary of both profiles (markdown), also written to <c>DIR/summary.md</c>.</returns>
    public static async Task<string> RunAsync(BenchPostgres postgres, IngestOptions options, string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var summary = new System.Text.StringBuilder();
        foreach (var durable in new[] { true, false })
        {
            var name = durable ? "durable" : "memory";
            Progress.Log($"profile: {name}, {options.Window.TotalSeconds:0} s with dotnet-counters and dotnet-trace attached");
            var result = await IngestRun.RunAsync(postgres, durable, options, options.Window, pid => CollectAsync(pid, directory, name, options.Window, cancellationToken), cancellationToken);
            Progress.Log($"profile: {name} ran at {result.Window.Rate:0} req/s while profiled");
            var trace = Path.Combine(directory, $"trace-{name}.nettrace");
            foreach (var inclusive in new[] { false, true })
            {
                string[] report = ["report", trace, "topN", "-n", "40", .. inclusive ? new[] { "--inclusive" } : []];
                var top = await Commands.RunAsync(Tool("dotnet-trace"), report, cancellationToken);
                await File.WriteAllTextAsync(Path.Combine(directory, $"top-{name}-{(inclusive ? "inclusive" : "exclusive")}.txt"), top, cancellationToken);
            }

            var speedscope = Path.Combine(directory, $"trace-{name}");
            await Commands.RunAsync(Tool("dotnet-trace"), ["convert", "--format", "speedscope", trace, "-o", speedscope], cancellationToken);
            summary.Append(await ProfileSummary.WriteAsync(
                name, Path.Combine(directory, $"counters-{name}.csv"), speedscope + ".speedscope.json", result.Window.Rate, cancellationToken));
        }

        await File.WriteAllTextAsync(Path.Combine(directory, "summary.md"), summary.ToString(), cancellationToken);
        Progress.Log($"profile: counters, traces, topN reports and summary.md in {Path.GetFullPath(directory)}");
        return summary.ToString();
    }

    private static async Task CollectAsync(int processId, string directory, string name, TimeSpan window, CancellationToken cancellationToken)
    {
        var pid = processId.ToString(CultureInfo.InvariantCulture);
        var duration = window.ToString(@"dd\:hh\:mm\:ss", CultureInfo.InvariantCulture);
        var counters = Commands.RunAsync(
            Tool("dotnet-counters"),
            ["collect", "-p", pid, "--duration", duration, "--format", "csv", "--counters", Counters, "-o", Path.Combine(directory, $"counters-{name}.csv")],
            cancellationToken);
        var trace = Commands.RunAsync(
            Tool("dotnet-trace"),
            ["collect", "-p", pid, "--profile", "dotnet-sampled-thread-time", "--duration", duration, "-o", Path.Combine(directory, $"trace-{name}.nettrace")],
            cancellationToken);
        await Task.WhenAll(counters, trace);
    }

    /// <summary>A global tool: in ~/.dotnet/tools (where <c>dotnet tool install -g</c> puts it) or on the PATH.</summary>
    private static string Tool(string name)
    {
        var installed = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", name);
        return File.Exists(installed) ? installed : name;
    }
}
