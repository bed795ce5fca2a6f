using System.Diagnostics;

namespace PrimeDirective.RetentionBench;

/// <summary>The bench process's (the silo's) memory and CPU, as the operating system and the GC see them.</summary>
internal static class ProcessProbe
{
    /// <summary>Working set and live GC heap after a full, compacting collection, so garbage does not count.</summary>
    public static MemorySample Memory()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        return new MemorySample(process.WorkingSet64, heap);
    }

    /// <summary>User plus kernel CPU time the process has used so far, on every core.</summary>
    public static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}

/// <param name="WorkingSet">Process.WorkingSet64, bytes.</param>
/// <param name="GcHeap">Live managed heap after a full collection, bytes.</param>
internal sealed record MemorySample(long WorkingSet, long GcHeap);
