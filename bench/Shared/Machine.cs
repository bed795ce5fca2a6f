namespace PrimeDirective.Bench;

/// <summary>What the machine a bench runs on is, and how busy it is (other work shares it).</summary>
internal static class Machine
{
    /// <summary>The machine's 1-minute load average, or "n/a" off Linux.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    /// <summary>Cores, memory and CPU model, in one line.</summary>
    public static string Describe()
    {
        var model = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(line => line.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30);
        return $"{Environment.ProcessorCount} cores ({model ?? "unknown CPU"}), {memory} GiB, {Environment.OSVersion}, .NET {Environment.Version}";
    }
}
