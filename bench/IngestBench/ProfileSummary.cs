using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PrimeDirective.IngestBench;

/// <summary>
/// Where the gateway's time goes, from one profiled window: CPU and allocation per request from
/// <c>dotnet-counters</c>, and from <c>dotnet-trace</c>'s sampled thread time (as speedscope) only the samples that
/// ran managed code (<c>CPU_TIME</c>), each charged to the nearest caller that is not the base library, by component.
/// Native time (GC, JIT, system calls) is in none of those samples: the counters show GC pause and JIT.
/// </summary>
internal static class ProfileSummary
{
    private const string CpuLeaf = "CPU_TIME";

    // The base library: a sample in it is charged to its nearest caller outside it.
    private static readonly string[] s_baseModules =
        ["System.Private.CoreLib", "System.Linq", "System.Collections", "System.Collections.Immutable", "System.Runtime", "System.Memory", "System.Collections.Concurrent", "System.Threading", "?"];

    private static readonly (string Prefix, string Component)[] s_components =
    [
        ("Npgsql", "Npgsql (PostgreSQL driver)"),
        ("Orleans.Persistence.AdoNet", "Orleans ADO.NET grain storage"),
        ("Orleans.Reminders", "Orleans reminders"),
        ("Orleans.Serialization", "Orleans serialization (messages, state copies)"),
        ("Orleans", "Orleans runtime (messaging, scheduling, directory)"),
        ("System.Text.Json", "System.Text.Json (grain state, HTTP)"),
        ("Microsoft.AspNetCore", "ASP.NET Core and Kestrel"),
        ("System.Net", "System.Net (sockets)"),
        ("PrimeDirective", "Prime Directive code (endpoints, grains, storage routing)"),
        ("System.Security.Cryptography", "cryptography (pseudonym HMAC)"),
        ("Microsoft.Extensions", "Microsoft.Extensions (logging, options, DI, metrics)"),
        ("System.Diagnostics", "diagnostics (metrics, the profiler's own events)"),
    ];

    public static async Task<string> WriteAsync(string name, string countersCsv, string speedscopeJson, double requestsPerSecond, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### {name}: {requestsPerSecond:0} req/s while profiled");
        text.AppendLine();
        AppendCounters(text, await File.ReadAllLinesAsync(countersCsv, cancellationToken), requestsPerSecond);
        await using var stream = File.OpenRead(speedscopeJson);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        AppendSamples(text, document.RootElement);
        return text.ToString();
    }

    private static void AppendCounters(StringBuilder text, string[] lines, double requestsPerSecond)
    {
        // Timestamp,Provider,Counter Name,Counter Type,Mean/Increment; a name may hold commas, the other fields never.
        var values = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1))
        {
            var first = line.IndexOf(',', StringComparison.Ordinal);
            var second = line.IndexOf(',', first + 1);
            var last = line.LastIndexOf(',');
            var beforeLast = line.LastIndexOf(',', last - 1);
            if (first < 0 || second < 0 || beforeLast <= second || !double.TryParse(line[(last + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var counter = line[(second + 1)..beforeLast];
            (values.TryGetValue(counter, out var list) ? list : values[counter] = []).Add(value);
        }

        double Mean(Func<string, bool> which) =>
            values.Where(pair => which(pair.Key)).Select(pair => pair.Value.Average()).DefaultIfEmpty(double.NaN).Sum();

        var cpu = Mean(counter => counter.StartsWith("dotnet.process.cpu.time", StringComparison.Ordinal));
        var allocated = Mean(counter => counter.StartsWith("dotnet.gc.heap.total_allocated", StringComparison.Ordinal));
        var pause = Mean(counter => counter.StartsWith("dotnet.gc.pause.time", StringComparison.Ordinal));
        var jit = Mean(counter => counter.StartsWith("dotnet.jit.compilation.time", StringComparison.Ordinal));
        var gen0 = Mean(counter => counter.Contains("gc.heap.generation=gen0", StringComparison.Ordinal) && counter.StartsWith("dotnet.gc.collections", StringComparison.Ordinal));
        var gen2 = Mean(counter => counter.Contains("gc.heap.generation=gen2", StringComparison.Ordinal) && counter.StartsWith("dotnet.gc.collections", StringComparison.Ordinal));
        var contention = Mean(counter => counter.StartsWith("dotnet.monitor.lock_contentions", StringComparison.Ordinal));
        var write50 = Mean(counter => counter.StartsWith("orleans-storage-write-latency", StringComparison.Ordinal) && counter.Contains("Percentile=50]", StringComparison.Ordinal));
        var write99 = Mean(counter => counter.StartsWith("orleans-storage-write-latency", StringComparison.Ordinal) && counter.Contains("Percentile=99]", StringComparison.Ordinal));
        text.AppendLine("| counter (mean over the window) | value |");
        text.AppendLine("| --- | --- |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| gateway process CPU, cores (user + system) | {cpu:0.00} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| CPU per request | {cpu * 1000 / requestsPerSecond:0.00} ms |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| allocated per request | {allocated / requestsPerSecond / 1024:0.0} KiB ({allocated / 1024 / 1024:0} MiB/s) |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| GC: time paused, gen0 / gen2 collections per s | {pause * 100:0.0} % / {gen0:0.0} / {gen2:0.00} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| JIT compiling, share of the time | {jit * 100:0.0} % |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| lock contentions per s | {contention:0} |");
        if (!double.IsNaN(write50))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| Orleans grain-state write latency p50 / p99 | {write50:0.0} / {write99:0.0} ms |");
        }

        text.AppendLine();
    }

    private static void AppendSamples(StringBuilder text, JsonElement root)
    {
        var frames = root.GetProperty("shared").GetProperty("frames").EnumerateArray().Select(frame => frame.GetProperty("name").GetString() ?? "?").ToArray();
        var byComponent = new Dictionary<string, double>(StringComparer.Ordinal);
        var inclusive = new Dictionary<string, double>(StringComparer.Ordinal);
        double cpuTotal = 0;
        foreach (var profile in root.GetProperty("profiles").EnumerateArray())
        {
            var stack = new List<int>();
            double? last = null;
            foreach (var change in profile.GetProperty("events").EnumerateArray())
            {
                var at = change.GetProperty("at").GetDouble();
                if (last is { } from && stack.Count > 0 && frames[stack[^1]] == CpuLeaf)
                {
                    var span = at - from;
                    cpuTotal += span;
                    var component = Component(stack, frames);
                    byComponent[component] = byComponent.GetValueOrDefault(component) + span;
                    foreach (var method in stack.Select(index => frames[index]).Distinct(StringComparer.Ordinal))
                    {
                        inclusive[method] = inclusive.GetValueOrDefault(method) + span;
                    }
                }

                last = at;
                if (change.GetProperty("type").GetString() == "O")
                {
                    stack.Add(change.GetProperty("frame").GetInt32());
                }
                else if (stack.Count > 0)
                {
                    stack.RemoveAt(stack.Count - 1);
                }
            }
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"Managed CPU samples ({cpuTotal / 1000:0.0} thread-seconds), by the component charged (nearest caller outside the base library):");
        text.AppendLine();
        text.AppendLine("| component | share |");
        text.AppendLine("| --- | --- |");
        foreach (var (component, span) in byComponent.OrderByDescending(pair => pair.Value))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {component} | {100 * span / cpuTotal:0.0} % |");
        }

        text.AppendLine();
        text.AppendLine("Methods on the stack of the most managed CPU samples (inclusive):");
        text.AppendLine();
        text.AppendLine("| inclusive | method |");
        text.AppendLine("| --- | --- |");
        foreach (var (method, span) in inclusive.Where(pair => !IsPseudo(pair.Key) && !IsBase(pair.Key))
            .OrderByDescending(pair => pair.Value).Take(40))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {100 * span / cpuTotal:0.0} % | `{Shorten(method)}` |");
        }

        text.AppendLine();
    }

    private static string Component(List<int> stack, string[] frames)
    {
        for (var i = stack.Count - 2; i >= 0; i--)
        {
            var frame = frames[stack[i]];
            if (IsPseudo(frame) || IsBase(frame))
            {
                continue;
            }

            var module = Module(frame);
            return s_components.FirstOrDefault(entry => module.StartsWith(entry.Prefix, StringComparison.Ordinal)).Component ?? module;
        }

        return "base library only (thread pool, tasks, timers)";
    }

    /// <summary>The profile's own frames (process, threads, CPU_TIME), not code.</summary>
    private static bool IsPseudo(string frame) => !frame.Contains('!', StringComparison.Ordinal);

    private static bool IsBase(string frame) => s_baseModules.Contains(Module(frame), StringComparer.Ordinal);

    private static string Module(string frame)
    {
        var bang = frame.IndexOf('!', StringComparison.Ordinal);
        return bang < 0 ? frame : frame[..bang];
    }

    private static string Shorten(string method)
    {
        var parameters = method.IndexOf('(', StringComparison.Ordinal);
        var name = parameters < 0 ? method : method[..parameters];
        return name.Length > 150 ? name[..150] : name;
    }
}
