using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace PrimeDirective.Tests.Infrastructure;

/// <summary>
/// Loopback ports for the servers tests start. They come from a range below Linux's ephemeral range, so no outgoing
/// connection can take one between the handing out and the server's bind (port 0 would hand out an ephemeral port,
/// which any connection may grab in that gap). A port is reserved for the rest of the test process by an exclusive
/// lock on a file shared by every test process on the machine (the lock goes with the process, even a killed one),
/// never handed out twice, and checked by binding it.
/// </summary>
public static class FreePort
{
    /// <summary>The first port handed out (scripts/cluster.sh's default block, 21000–21010, lies below).</summary>
    public const int RangeStart = 22_000;

    /// <summary>One past the last port handed out: below Orleans' default gateway port (30000) and the ephemeral range.</summary>
    public const int RangeEnd = 30_000;

    /// <summary>Where the per-port lock files live (one directory for every test process on the machine).</summary>
    public static readonly string LockDirectory = Path.Combine(Path.GetTempPath(), "prime-directive-test-ports");
    private static readonly Lock s_gate = new();
    private static readonly HashSet<int> s_reserved = [];

    // Open for the life of the process: closing one would free its port for other test processes.
    private static readonly List<FileStream> s_locks = [];

    /// <summary>One reserved port that nothing listens on.</summary>
    public static int Next() => Block(1);

    /// <summary>The first of <paramref name="count"/> consecutive reserved ports that nothing listens on.</summary>
    public static int Block(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var end = Math.Min(RangeEnd, EphemeralRangeStart());
        var starts = end - RangeStart - count + 1;
        if (starts < 1)
        {
            throw new InvalidOperationException($"No room for {count} ports in {RangeStart}..{end - 1}");
        }

        Directory.CreateDirectory(LockDirectory);
        lock (s_gate)
        {
            // A random first candidate per call: parallel test processes rarely try the same ports first.
            var offset = RandomNumberGenerator.GetInt32(starts);
            for (var i = 0; i < starts; i++)
            {
                var first = RangeStart + ((offset + i) % starts);
                if (TryReserve(first, count))
                {
                    return first;
                }
            }
        }

        throw new InvalidOperationException($"No {count} consecutive free ports in {RangeStart}..{end - 1}");
    }

    /// <summary>The lowest port Linux hands to outgoing connections (32768 where the setting cannot be read).</summary>
    public static int EphemeralRangeStart()
    {
        const string Setting = "/proc/sys/net/ipv4/ip_local_port_range";
        var text = File.Exists(Setting) ? File.ReadAllText(Setting) : string.Empty;
        var first = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var low) ? low : 32_768;
    }

    private static bool TryReserve(int first, int count)
    {
        var taken = new List<FileStream>(count);
        var free = true;
        for (var port = first; free && port < first + count; port++)
        {
            var held = s_reserved.Contains(port) ? null : TryLock(port);
            if (held is not null)
            {
                taken.Add(held);
            }

            // Locked by us, and nothing outside the scheme (another program, an old test run) listens on it.
            free = held is not null && IsBindable(port);
        }

        if (free)
        {
            s_locks.AddRange(taken);
            s_reserved.UnionWith(Enumerable.Range(first, count));
            return true;
        }

        foreach (var held in taken)
        {
            held.Dispose();
        }

        return false;
    }

    private static FileStream? TryLock(int port)
    {
        try
        {
            // FileShare.None takes an exclusive flock on Unix: another process (or another open here) fails to get it.
            return new FileStream(
                Path.Combine(LockDirectory, port.ToString(CultureInfo.InvariantCulture)),
                FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Whether a listener can take the port on loopback right now.</summary>
    public static bool IsBindable(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
