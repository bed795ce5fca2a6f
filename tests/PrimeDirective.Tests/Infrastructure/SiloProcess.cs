using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace PrimeDirective.Tests.Infrastructure;

/// <summary>
/// A silo as its own operating-system process (<c>dotnet PrimeDirective.Silo.dll</c> of any build, this one's or an
/// earlier release's), configured like a pod through environment variables from a <see cref="ServiceHost"/>'s settings:
/// the same databases, cluster id, keys and certificates. Stopped with SIGTERM (a graceful leave), killed on dispose.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_startDeadline = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan s_stopDeadline = TimeSpan.FromMinutes(1);

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SiloProcess(Process process, string name, int siloPort)
    {
        _process = process;
        Name = name;
        SiloPort = siloPort;
    }

    public string Name { get; }

    /// <summary>The silo-to-silo port, as the membership table records it.</summary>
    public int SiloPort { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>What the process wrote so far (stdout and stderr).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The silo built as <paramref name="dll"/>, with <paramref name="settings"/>, once its host has started (it is then active in the cluster).</summary>
    public static async Task<SiloProcess> StartAsync(string name, string dll, IReadOnlyDictionary<string, string?> settings)
    {
        var (siloPort, gatewayPort) = (FreePort.Next(), FreePort.Next());
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            // The content root, for the build's appsettings.json (as scripts/cluster.sh runs it).
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // The test run's own PD_ variables (PD_TEST_PG, ...) would reach the silo's configuration: a pod has none of them.
        foreach (var inherited in start.Environment.Keys.Where(key => key.StartsWith("PD_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        var environment = new Dictionary<string, string?>(settings, StringComparer.Ordinal)
        {
            ["Orleans:SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture),
            ["Orleans:AdvertisedIP"] = "127.0.0.1",
            // Loopback processes: a silo that dies is declared dead in seconds (as scripts/cluster.sh configures them).
            ["Orleans:Membership:ProbeTimeout"] = "00:00:02",
            ["Orleans:Membership:NumMissedProbesLimit"] = "2",
            // The start wait below looks for the host's "Application started" line.
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
            ["DOTNET_ENVIRONMENT"] = "Testing",
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"The silo process {name} did not start.");
        var silo = new SiloProcess(process, name, siloPort);
        process.OutputDataReceived += (_, line) => silo.Append(line.Data);
        process.ErrorDataReceived += (_, line) => silo.Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Eventually.ReturnsAsync(
                () => process.HasExited
                    ? throw new InvalidOperationException($"The silo process {name} exited ({process.ExitCode}):\n{silo.Output}")
                    : Task.FromResult(silo.Output.Contains("Application started", StringComparison.Ordinal)),
                started => started, s_startDeadline, $"the silo process {name} started");
            return silo;
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    /// <summary>Asks the silo to leave (SIGTERM, as Kubernetes stops a pod) and waits until it has exited.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var signal = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!)
        {
            await signal.WaitForExitAsync();
        }

        using var deadline = new CancellationTokenSource(s_stopDeadline);
        await _process.WaitForExitAsync(deadline.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
