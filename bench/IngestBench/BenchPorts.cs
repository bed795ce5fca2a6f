using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace PrimeDirective.IngestBench;

/// <summary>
/// Loopback ports for the servers the bench starts (PostgreSQL, the gateway's silo and Orleans gateway): below the
/// tests' range (22000–30000) and Linux's ephemeral range, reserved for the bench process by an exclusive lock in the
/// tests' own lock directory, and checked by binding.
/// </summary>
internal static class BenchPorts
{
    private const int RangeStart = 20_000;
    private const int RangeEnd = 21_000;
    private static readonly string s_lockDirectory = Path.Combine(Path.GetTempPath(), "prime-directive-test-ports");

    // Open for the life of the process: closing one would free its port for another process.
    private static readonly List<FileStream> s_locks = [];

    public static int Next()
    {
        Directory.CreateDirectory(s_lockDirectory);
        var span = RangeEnd - RangeStart;
        var offset = RandomNumberGenerator.GetInt32(span);
        for (var i = 0; i < span; i++)
        {
            var port = RangeStart + ((offset + i) % span);
            if (TryLock(port) is not { } held)
            {
                continue;
            }

            if (IsBindable(port))
            {
                s_locks.Add(held);
                return port;
            }

            held.Dispose();
        }

        throw new InvalidOperationException($"No free port in {RangeStart}..{RangeEnd - 1}.");
    }

    private static FileStream? TryLock(int port)
    {
        try
        {
            return new FileStream(
                Path.Combine(s_lockDirectory, port.ToString(CultureInfo.InvariantCulture)), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsBindable(int port)
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
