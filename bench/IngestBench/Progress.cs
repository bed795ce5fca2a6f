using System.Diagnostics;
using System.Globalization;

namespace PrimeDirective.IngestBench;

/// <summary>Progress lines on stderr (the figures go to stdout), stamped with the time since the bench started.</summary>
internal static class Progress
{
    private static readonly Stopwatch s_clock = Stopwatch.StartNew();

    public static void Log(string message) =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[ingest-bench {s_clock.Elapsed.TotalSeconds,7:0.0} s] {message}"));
}
