using System.Diagnostics;
using System.Globalization;

namespace PrimeDirective.IngestBench;

/// <summary>
/// Where the machine's CPU went during a window, from <c>/proc</c>: the gateway process, the private PostgreSQL server
/// (postmaster and its backends), the bench itself (the load client), and everything else on the shared machine.
/// </summary>
internal static class ProcessCpu
{
    // USER_HZ: what /proc counts CPU time in on Linux.
    private const double TicksPerSecond = 100;

    public static CpuSample Sample(int gateway, int? postmaster)
    {
        var postgres = postmaster is { } root ? Ticks(root) + ChildrenOf(root).Sum(Ticks) : double.NaN;
        using var self = Process.GetCurrentProcess();
        return new CpuSample(Stopwatch.GetTimestamp(), Ticks(gateway), postgres, self.TotalProcessorTime.TotalSeconds * TicksPerSecond, MachineBusyTicks());
    }

    /// <summary>Cores used between two samples: gateway, PostgreSQL, load client, the rest of the machine.</summary>
    public static CpuSplit Between(CpuSample start, CpuSample end)
    {
        var seconds = Stopwatch.GetElapsedTime(start.Timestamp, end.Timestamp).TotalSeconds;
        double Cores(double from, double to) => (to - from) / TicksPerSecond / seconds;
        var gateway = Cores(start.Gateway, end.Gateway);
        var postgres = Cores(start.Postgres, end.Postgres);
        var client = Cores(start.Client, end.Client);
        var machine = Cores(start.Machine, end.Machine);
        return new CpuSplit(gateway, postgres, client, machine - gateway - (double.IsNaN(postgres) ? 0 : postgres) - client);
    }

    private static double Ticks(int pid)
    {
        // Fields after the command name (which may hold spaces and parentheses): state is field 3, utime 14, stime 15.
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return 0; // Gone since it was listed.
        }
    }

    private static IEnumerable<int> ChildrenOf(int parent)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ppid) && ppid == parent)
            {
                yield return pid;
            }
        }
    }

    private static double MachineBusyTicks()
    {
        // cpu user nice system idle iowait irq softirq steal ...: busy is everything but idle and iowait.
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        double Field(int index) => double.Parse(fields[index], CultureInfo.InvariantCulture);
        return Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8);
    }
}

/// <summary>Cumulative CPU ticks at one moment.</summary>
internal sealed record CpuSample(long Timestamp, double Gateway, double Postgres, double Client, double Machine);

/// <summary>Cores used over a window (NaN for PostgreSQL when the server is not the bench's own).</summary>
internal sealed record CpuSplit(double Gateway, double Postgres, double Client, double Rest);
