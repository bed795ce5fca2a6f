using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace PrimeDirective.Tests.Infrastructure;

/// <summary>
/// The gateway as its own operating-system process (<c>dotnet PrimeDirective.Gateway.dll</c>, built beside the tests), an
/// Orleans client of a <see cref="ServiceHost"/>'s silos, as one pod of a Deployment: its own home directory, nothing
/// shared with another replica but configuration. Stopped (killed) on dispose.
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_readyDeadline = TimeSpan.FromMinutes(2);

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private GatewayProcess(Process process, Uri address, string home)
    {
        _process = process;
        Address = address;
        Home = home;
    }

    public Uri Address { get; }

    /// <summary>The process's own HOME (a pod's filesystem is its own).</summary>
    public string Home { get; }

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

    /// <summary>Starts a client-mode gateway with the service's settings (and the gateway certificate) plus <paramref name="overrides"/>, and waits until it is ready.</summary>
    public static async Task<GatewayProcess> StartAsync(ServiceHost service, IDictionary<string, string?>? overrides = null)
    {
        var port = FreePort.Next();
        var home = Directory.CreateTempSubdirectory("pd-gateway-home-").FullName;
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "PrimeDirective.Gateway.dll")])
        {
            WorkingDirectory = home,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var settings = new Dictionary<string, string?>(service.Settings, StringComparer.Ordinal);
        foreach (var (key, value) in TestCertificates.Cluster.Gateway.Settings.Concat(overrides ?? new Dictionary<string, string?>()))
        {
            settings[key] = value;
        }

        settings["Orleans:Mode"] = "client";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        start.Environment["HOME"] = home;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["ASPNETCORE_URLS"] = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");
        var process = Process.Start(start) ?? throw new InvalidOperationException("The gateway process did not start.");
        var gateway = new GatewayProcess(process, new Uri($"http://127.0.0.1:{port}"), home);
        process.OutputDataReceived += (_, line) => gateway.Append(line.Data);
        process.ErrorDataReceived += (_, line) => gateway.Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = gateway.Address, Timeout = TimeSpan.FromSeconds(10) };
            await Eventually.ReturnsAsync(
                async () => process.HasExited ? throw new InvalidOperationException($"The gateway exited ({process.ExitCode}):\n{gateway.Output}") : (await http.GetAsync("/health/ready")).StatusCode,
                status => status == HttpStatusCode.OK, s_readyDeadline, "the gateway process is ready");
            return gateway;
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(Home, recursive: true);
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
