using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Xunit.Abstractions;

namespace PrimeDirective.Tests.Regions;

/// <summary>
/// The service as separate operating-system processes (<c>scripts/cluster.sh</c>: three silos, one per region,
/// and the gateway as an Orleans client, on fresh PostgreSQL databases): a silo process dies by SIGKILL while
/// reports stream in, and every report that was acknowledged is there afterwards.
/// </summary>
public sealed class MultiProcessClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Waves = 20;
    private const int KillDuringWave = 7;
    private const string KilledRegion = "us";

    private static readonly string[] s_regions = ["eu", "us", "ap"];
    private static readonly TimeSpan s_scriptStart = TimeSpan.FromMinutes(8);
    private static readonly TimeSpan s_scriptStop = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan s_warmUp = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan s_recovery = TimeSpan.FromMinutes(3);

    private readonly string _repository = FindRepositoryRoot();
    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), $"pd-cluster-{Guid.NewGuid():N}");
    private readonly int _basePort = FreeBasePort();
    private bool _passed;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        var stop = await RunScriptAsync(s_scriptStop, [("PD_DROP_DATABASES", "1")], "stop");
        output.WriteLine($"cluster.sh stop exited {stop.ExitCode}\n{stop.Output}");
        if (_passed && stop.ExitCode == 0)
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
        else
        {
            output.WriteLine($"Logs of the run kept in {_stateDirectory}");
        }
    }

    [Fact]
    public async Task Reports_acknowledged_while_a_silo_process_is_killed_are_all_there_afterwards()
    {
        var start = await RunScriptAsync(s_scriptStart, [], "start");
        output.WriteLine($"cluster.sh start exited {start.ExitCode}\n{start.Output}");
        Assert.True(start.ExitCode == 0, $"scripts/cluster.sh start failed ({start.ExitCode}):\n{start.Output}");
        var run = ReadEnvFile();
        using var http = new HttpClient { BaseAddress = new Uri(run["PD_GATEWAY_URL"]), Timeout = TimeSpan.FromSeconds(90) };

        // Every region takes reports before the measured part begins (the cluster has just formed).
        var acknowledged = new List<Report>();
        foreach (var region in s_regions)
        {
            acknowledged.Add(await WarmUpAsync(http, region));
        }

        var beforeKill = 0;
        var afterKill = 0;
        var refused = 0;
        for (var wave = 0; wave < Waves; wave++)
        {
            var reports = s_regions.Select(Report.New).ToList();
            var sending = reports.Select(report => SendAsync(http, report)).ToList();
            if (wave == KillDuringWave)
            {
                // While this wave's reports are in flight.
                KillSilo(run, KilledRegion);
            }

            var statuses = await Task.WhenAll(sending);
            for (var i = 0; i < reports.Count; i++)
            {
                if (statuses[i] == HttpStatusCode.OK)
                {
                    acknowledged.Add(reports[i]);
                    beforeKill += wave < KillDuringWave ? 1 : 0;
                    afterKill += wave > KillDuringWave ? 1 : 0;
                }
                else
                {
                    refused++;
                }
            }

            output.WriteLine($"wave {wave}: {string.Join(", ", reports.Select((report, i) => $"{report.Region} {Describe(statuses[i])}"))}");
        }

        output.WriteLine($"{acknowledged.Count} acknowledged ({beforeKill} before the kill, {afterKill} after), {refused} not");
        Assert.True(beforeKill > 0, "no report was acknowledged before the silo was killed");
        Assert.True(afterKill > 0, "no report was acknowledged after the silo was killed");

        var restart = await RunScriptAsync(s_scriptStart, [], "restart-silo", KilledRegion);
        output.WriteLine($"cluster.sh restart-silo {KilledRegion} exited {restart.ExitCode}\n{restart.Output}");
        Assert.True(restart.ExitCode == 0, $"scripts/cluster.sh restart-silo failed ({restart.ExitCode}):\n{restart.Output}");

        var missing = await UnreadableAfterRecoveryAsync(http, acknowledged);
        Assert.True(
            missing.Count == 0,
            $"{missing.Count} of {acknowledged.Count} acknowledged reports are not readable within {s_recovery}: " +
            string.Join("; ", missing.Select(entry => $"{entry.Report.Region}/{entry.Report.ClusterId} -> {entry.Last}")));
        _passed = true;
    }

    /// <summary>Sends one region's first report until it is acknowledged (the region's silo may still be joining).</summary>
    private static async Task<Report> WarmUpAsync(HttpClient http, string region)
    {
        using var deadline = new CancellationTokenSource(s_warmUp);
        var last = "nothing yet";
        while (!deadline.IsCancellationRequested)
        {
            var report = Report.New(region);
            var status = await SendAsync(http, report);
            if (status == HttpStatusCode.OK)
            {
                return report;
            }

            last = Describe(status);
            await PauseAsync(deadline.Token);
        }

        throw new TimeoutException($"Region {region} acknowledged no report within {s_warmUp} (last: {last})");
    }

    /// <summary>Polls every acknowledged report until it reads back (200) or the deadline passes; returns the rest.</summary>
    private async Task<List<(Report Report, string Last)>> UnreadableAfterRecoveryAsync(HttpClient http, List<Report> acknowledged)
    {
        var pending = acknowledged.ToDictionary(report => report, _ => "not read yet");
        using var deadline = new CancellationTokenSource(s_recovery);
        while (pending.Count > 0 && !deadline.IsCancellationRequested)
        {
            foreach (var report in pending.Keys.ToList())
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/{report.Region}/v1/clusters/{report.ClusterId}");
                request.Headers.Add("X-Flynn-Bootstrap-Id", report.BootstrapId);
                try
                {
                    using var response = await http.SendAsync(request);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        pending.Remove(report);
                    }
                    else
                    {
                        pending[report] = Describe(response.StatusCode);
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    pending[report] = exception.GetType().Name;
                }
            }

            if (pending.Count > 0)
            {
                await PauseAsync(deadline.Token);
            }
        }

        output.WriteLine($"{acknowledged.Count - pending.Count} of {acknowledged.Count} acknowledged reports read back");
        return pending.Select(entry => (entry.Key, entry.Value)).ToList();
    }

    /// <summary>A Flynn scheduler report; a failure to answer counts as not acknowledged (<c>null</c>).</summary>
    private static async Task<HttpStatusCode?> SendAsync(HttpClient http, Report report)
    {
        var query =
            "ct_hosts=1&ct_running_jobs=1&ct_running_apps=1&ct_running_formations=1&ct_postgres_dbs=0&ct_mongodb_dbs=0" +
            $"&ct_mysql_dbs=0&ct_redis_dbs=0&id_bootstrap={report.BootstrapId}&id_cluster={report.ClusterId}&id_version=v1";
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{report.Region}/measure/scheduler?{query}");
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("flynn-scheduler", "v1"));
        try
        {
            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>SIGKILL to the region's silo process, by the PID the script recorded (checked to be our silo).</summary>
    private void KillSilo(Dictionary<string, string> run, string region)
    {
        var pidFile = Path.Combine(_stateDirectory, $"silo-{region}.pid");
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture);
        var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        Assert.Contains(run["PD_SILO_DLL"], commandLine, StringComparison.Ordinal);
        using var silo = Process.GetProcessById(pid);
        silo.Kill();
        output.WriteLine($"killed silo-{region} (pid {pid})");
    }

    private static async Task PauseAsync(CancellationToken deadline)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), deadline);
        }
        catch (TaskCanceledException)
        {
            // The deadline passed: the caller's loop ends.
        }
    }

    private static string Describe(HttpStatusCode? status) =>
        status is { } code ? ((int)code).ToString(CultureInfo.InvariantCulture) : "no answer";

    /// <summary>Runs <c>scripts/cluster.sh</c> for this test's run (its own state directory and ports).</summary>
    private async Task<(int ExitCode, string Output)> RunScriptAsync(TimeSpan timeout, (string Name, string Value)[] environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = _repository,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(_repository, "scripts", "cluster.sh"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PD_STATE_DIR"] = _stateDirectory;
        start.Environment["PD_BASE_PORT"] = _basePort.ToString(CultureInfo.InvariantCulture);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var deadline = new CancellationTokenSource(timeout))
        {
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                // By PID: the script and what it started and still parents (stop cleans up the rest by pid file).
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        // The script redirects its servers' output to log files; should anything still hold the pipes, do not wait for it.
        var text = new StringBuilder();
        foreach (var stream in new[] { stdout, stderr })
        {
            try
            {
                text.Append(await stream.WaitAsync(TimeSpan.FromSeconds(10)));
            }
            catch (TimeoutException)
            {
                text.AppendLine("(output still open after the script exited)");
            }
        }

        return (process.ExitCode, text.ToString());
    }

    private Dictionary<string, string> ReadEnvFile()
    {
        // KEY='value' lines, written by scripts/cluster.sh (values never contain a quote).
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(Path.Combine(_stateDirectory, "env")))
        {
            var separator = line.IndexOf('=', StringComparison.Ordinal);
            if (separator > 0)
            {
                values[line[..separator]] = line[(separator + 1)..].Trim('\'');
            }
        }

        return values;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Actors.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Actors.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>
    /// A base port whose whole block (base .. base+10, see scripts/cluster.sh) is free on loopback, below the
    /// ephemeral range and away from Orleans' default ports.
    /// </summary>
    private static int FreeBasePort()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var candidate = RandomNumberGenerator.GetInt32(20_000, 29_900);
            if (Enumerable.Range(candidate, 11).All(IsFree))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("No free block of 11 loopback ports in 20000-29999");
    }

    private static bool IsFree(int port)
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

    private sealed record Report(string Region, string ClusterId, string BootstrapId)
    {
        public static Report New(string region) => new(region, Guid.NewGuid().ToString("D"), Guid.NewGuid().ToString("D"));
    }
}
