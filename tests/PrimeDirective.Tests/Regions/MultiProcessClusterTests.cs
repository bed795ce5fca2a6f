using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Npgsql;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PrimeDirective.Tests.Regions;

/// <summary>
/// The service as separate operating-system processes (<c>scripts/cluster.sh</c>: three silos, one per region,
/// and the gateway as an Orleans client, on fresh PostgreSQL databases): a silo process dies by SIGKILL while
/// reports of every region stream in. No caller waits past the configured response timeout (plus Orleans' expiry
/// sweep), every answer is a success or 503 with <c>Retry-After</c>, and every acknowledged report is there afterwards,
/// once (its batch committed before the answer; none written twice).
/// </summary>
public sealed class MultiProcessClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string KilledRegion = "us";
    private const int SendersPerRegion = 4;
    private const int AcknowledgedBeforeKill = 5;
    private const int AcknowledgedAfterDeath = 5;

    /// <summary>Ports of a run: PD_BASE_PORT .. +10 (scripts/cluster.sh).</summary>
    private const int PortsPerRun = 11;

    /// <summary><c>SiloStatus.Dead</c> in the membership table.</summary>
    private const int DeadStatus = 6;

    private static readonly string[] s_regions = ["eu", "us", "ap"];
    private static readonly TimeSpan s_scriptStart = TimeSpan.FromMinutes(8);
    private static readonly TimeSpan s_scriptStop = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan s_warmUp = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan s_phase = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan s_recovery = TimeSpan.FromMinutes(3);

    /// <summary>Longer than Orleans' default response timeout (30 s), so a stalled call is measured, not cut off.</summary>
    private static readonly TimeSpan s_httpTimeout = TimeSpan.FromSeconds(90);

    private readonly string _repository = FindRepositoryRoot();
    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), $"pd-cluster-{Guid.NewGuid():N}");
    private readonly int _basePort = FreePort.Block(PortsPerRun);
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
    public async Task A_killed_silo_process_holds_no_caller_past_the_response_timeout_and_loses_no_acknowledged_report()
    {
        // The processes run the shipped default (cluster.sh passes no timeout). A client call fails once the
        // client's expiry sweep, every min(timeout, 1 s), finds it past the timeout; one more sweep period covers
        // the gateway's own work around the call.
        var responseTimeout = SiloConfiguration.DefaultResponseTimeout;
        var sweep = responseTimeout < TimeSpan.FromSeconds(1) ? responseTimeout : TimeSpan.FromSeconds(1);
        var bound = responseTimeout + (2 * sweep);

        var start = await RunScriptAsync(s_scriptStart, [], "start");
        output.WriteLine($"cluster.sh start exited {start.ExitCode}\n{start.Output}");
        Assert.True(start.ExitCode == 0, $"scripts/cluster.sh start failed ({start.ExitCode}):\n{start.Output}");
        var run = ReadEnvFile();
        using var http = new HttpClient { BaseAddress = new Uri(run["PD_GATEWAY_URL"]), Timeout = s_httpTimeout };

        // Every region takes reports before the measured part begins (the cluster has just formed).
        var acknowledged = new List<Report>();
        foreach (var region in s_regions)
        {
            acknowledged.Add(await WarmUpAsync(http, region));
        }

        await using var load = new Load(http);
        load.Start();
        await Eventually.ReturnsAsync(
            () => Task.FromResult(s_regions.Min(region => load.Acknowledged(region, sentAfter: 0))),
            least => least >= AcknowledgedBeforeKill, s_phase, $"{AcknowledgedBeforeKill} reports acknowledged in every region");

        // While every region's senders have calls in flight.
        var killedAt = Stopwatch.GetTimestamp();
        KillSilo(run, KilledRegion);
        await Eventually.ReturnsAsync(
            () => IsDeclaredDeadAsync(run, KilledRegion), dead => dead, s_phase, $"membership declares silo-{KilledRegion} dead");
        var declaredDeadAt = Stopwatch.GetTimestamp();
        output.WriteLine($"silo-{KilledRegion} declared dead {Stopwatch.GetElapsedTime(killedAt, declaredDeadAt).TotalSeconds:F1} s after the kill");

        // The surviving regions go on taking reports once the cluster has settled.
        var survivors = s_regions.Where(region => region != KilledRegion).ToList();
        await Eventually.ReturnsAsync(
            () => Task.FromResult(survivors.Min(region => load.Acknowledged(region, declaredDeadAt))),
            least => least >= AcknowledgedAfterDeath, s_phase, $"{AcknowledgedAfterDeath} reports acknowledged in {string.Join(" and ", survivors)} after the death");
        var outcomes = await load.StopAsync();
        acknowledged.AddRange(outcomes.Where(outcome => outcome.Acknowledged).Select(outcome => outcome.Report));
        Describe(outcomes, killedAt, declaredDeadAt);

        var restart = await RunScriptAsync(s_scriptStart, [], "restart-silo", KilledRegion);
        output.WriteLine($"cluster.sh restart-silo {KilledRegion} exited {restart.ExitCode}\n{restart.Output}");
        Assert.True(restart.ExitCode == 0, $"scripts/cluster.sh restart-silo failed ({restart.ExitCode}):\n{restart.Output}");
        var missing = await UnreadableAfterRecoveryAsync(http, acknowledged);

        Assert.True(
            missing.Count == 0,
            $"{missing.Count} of {acknowledged.Count} acknowledged reports are not readable within {s_recovery}: " +
            string.Join("; ", missing.Select(entry => $"{entry.Report.Region}/{entry.Report.ClusterId} -> {entry.Last}")));

        // The kill hit calls in flight on the dead silo (the killed region's subjects live nowhere else), or the
        // bound below would prove nothing.
        Assert.Contains(outcomes, outcome => outcome.Report.Region == KilledRegion && outcome.StartedAt < killedAt && outcome.EndedAt > killedAt);

        // No hang, no 500: a success, or 503 that tells the caller when to retry.
        var wrong = outcomes.Where(outcome => !outcome.Acceptable).ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} answers were neither 2xx nor 503 with Retry-After: {string.Join("; ", wrong.Take(20))}");

        var longest = outcomes.MaxBy(outcome => outcome.Duration)!;
        Assert.True(
            longest.Duration < bound,
            $"a caller waited {longest.Duration.TotalSeconds:F1} s ({longest}); the bound is the response timeout {responseTimeout.TotalSeconds:F1} s + 2 × {sweep.TotalSeconds:F1} s");
        _passed = true;
    }

    /// <summary>Durations and answers of the load, for the record: per phase and region, and the longest waits.</summary>
    private void Describe(IReadOnlyList<Outcome> outcomes, long killedAt, long declaredDeadAt)
    {
        static string Phase(Outcome outcome, long killedAt, long declaredDeadAt) =>
            outcome.StartedAt < killedAt ? (outcome.EndedAt > killedAt ? "in flight at the kill" : "before the kill")
            : outcome.StartedAt < declaredDeadAt ? "between kill and death" : "after the death";
        foreach (var group in outcomes.GroupBy(outcome => (Phase(outcome, killedAt, declaredDeadAt), outcome.Report.Region)).OrderBy(group => group.Min(outcome => outcome.StartedAt)))
        {
            var answers = string.Join(", ", group.GroupBy(outcome => outcome.Answer).Select(answer => $"{answer.Count()}× {answer.Key}"));
            output.WriteLine($"{group.Key.Item1,-24} {group.Key.Region}: {answers}; longest {group.Max(outcome => outcome.Duration).TotalSeconds:F2} s");
        }

        output.WriteLine($"{outcomes.Count} calls; longest waits: {string.Join(", ", outcomes.OrderByDescending(outcome => outcome.Duration).Take(10).Select(outcome => $"{outcome.Duration.TotalSeconds:F2} s ({outcome.Report.Region} {outcome.Answer})"))}");
    }

    /// <summary>Whether the membership table holds the region's silo (by its silo port) as dead.</summary>
    private static async Task<bool> IsDeclaredDeadAsync(Dictionary<string, string> run, string region)
    {
        await using var connection = new NpgsqlConnection(run["PD_CLUSTER_DATABASE"]);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select count(*) from membership_member where deployment_id = @cluster and port = @port and status = @dead", connection);
        command.Parameters.AddWithValue("cluster", run["PD_CLUSTER_ID"]);
        command.Parameters.AddWithValue("port", int.Parse(run[$"PD_SILO_{region.ToUpperInvariant()}_SILO_PORT"], CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("dead", DeadStatus);
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    /// <summary>Sends one region's first report until it is acknowledged (the region's silo may still be joining).</summary>
    private static async Task<Report> WarmUpAsync(HttpClient http, string region)
    {
        using var deadline = new CancellationTokenSource(s_warmUp);
        var last = "nothing yet";
        while (!deadline.IsCancellationRequested)
        {
            var outcome = await SendAsync(http, Report.New(region));
            if (outcome.Acknowledged)
            {
                return outcome.Report;
            }

            last = outcome.Answer;
            await PauseAsync(deadline.Token);
        }

        throw new TimeoutException($"Region {region} acknowledged no report within {s_warmUp} (last: {last})");
    }

    /// <summary>Polls every acknowledged report until it reads back (200, its report's rows there once) or the deadline passes; returns the rest.</summary>
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
                    var usage = response.StatusCode == HttpStatusCode.OK
                        ? (await Json.ReadAsync(response))["items"]!.AsArray().Count(item => (string?)item!["category"] == "usage")
                        : 0;

                    // Each acknowledged report is its cluster's only one: its rows are there, once.
                    if (usage == 1)
                    {
                        pending.Remove(report);
                    }
                    else if (response.StatusCode == HttpStatusCode.OK)
                    {
                        pending[report] = $"{usage} usage items";
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

    /// <summary>Sends a Flynn scheduler report and records how long the caller waited and what it got.</summary>
    private static async Task<Outcome> SendAsync(HttpClient http, Report report)
    {
        var query =
            "ct_hosts=1&ct_running_jobs=1&ct_running_apps=1&ct_running_formations=1&ct_postgres_dbs=0&ct_mongodb_dbs=0" +
            $"&ct_mysql_dbs=0&ct_redis_dbs=0&id_bootstrap={report.BootstrapId}&id_cluster={report.ClusterId}&id_version=v1";
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/{report.Region}/measure/scheduler?{query}");
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("flynn-scheduler", "v1"));
        var startedAt = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request);
            return new Outcome(report, startedAt, Stopwatch.GetTimestamp(), response.StatusCode, response.Headers.RetryAfter is not null, Failure: null);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return new Outcome(report, startedAt, Stopwatch.GetTimestamp(), Status: null, RetryAfter: false, exception.GetType().Name);
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
        if (SolutionBuild() is { } built)
        {
            start.Environment["PD_SILO_DLL"] = built.Silo;
            start.Environment["PD_GATEWAY_DLL"] = built.Gateway;
        }
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

    /// <summary>
    /// The silo and gateway of the solution build these test binaries come from (scripts/test.sh builds Actors.sln
    /// first), when their service code is byte for byte the code under test; otherwise <c>null</c>, and cluster.sh builds
    /// its own (minutes on two cores).
    /// </summary>
    private (string Silo, string Gateway)? SolutionBuild()
    {
        // .../tests/PrimeDirective.Tests/bin/{Configuration}/{framework}/
        var output = Path.GetRelativePath(Path.Combine(_repository, "tests", "PrimeDirective.Tests"), AppContext.BaseDirectory);
        var silo = Path.Combine(_repository, "src", "Silo", output);
        var gateway = Path.Combine(_repository, "src", "Gateway", output);
        string[] grains = ["PrimeDirective.Grains.dll", "PrimeDirective.Grains.Interfaces.dll"];
        var same = grains.All(dll => SameFile(dll, silo)) && grains.Append("PrimeDirective.Gateway.dll").All(dll => SameFile(dll, gateway));
        return same && File.Exists(Path.Combine(silo, "PrimeDirective.Silo.dll"))
            ? (Path.Combine(silo, "PrimeDirective.Silo.dll"), Path.Combine(gateway, "PrimeDirective.Gateway.dll"))
            : null;

        static bool SameFile(string dll, string directory)
        {
            var built = Path.Combine(directory, dll);
            return File.Exists(built) && File.ReadAllBytes(built).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, dll)));
        }
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

    private sealed record Report(string Region, string ClusterId, string BootstrapId)
    {
        public static Report New(string region) => new(region, Guid.NewGuid().ToString("D"), Guid.NewGuid().ToString("D"));
    }

    /// <summary>One call: when it was sent and answered (<see cref="Stopwatch"/> timestamps) and the answer.</summary>
    private sealed record Outcome(Report Report, long StartedAt, long EndedAt, HttpStatusCode? Status, bool RetryAfter, string? Failure)
    {
        public TimeSpan Duration => Stopwatch.GetElapsedTime(StartedAt, EndedAt);

        public bool Acknowledged => Status == HttpStatusCode.OK;

        public bool Acceptable => Status is { } code && (((int)code is >= 200 and < 300) || (code == HttpStatusCode.ServiceUnavailable && RetryAfter));

        public string Answer => Status is { } code
            ? ((int)code).ToString(CultureInfo.InvariantCulture) + (code == HttpStatusCode.ServiceUnavailable && !RetryAfter ? " without Retry-After" : string.Empty)
            : $"no answer ({Failure})";

        public override string ToString() => $"{Report.Region} {Answer} after {Duration.TotalSeconds:F2} s";
    }

    /// <summary>Senders per region that report back to back until stopped, recording every call.</summary>
    private sealed class Load(HttpClient http) : IAsyncDisposable
    {
        private readonly ConcurrentQueue<Outcome> _outcomes = new();
        private readonly CancellationTokenSource _stop = new();
        private Task _senders = Task.CompletedTask;

        public void Start() => _senders = Task.WhenAll(
            s_regions.SelectMany(region => Enumerable.Range(0, SendersPerRegion).Select(_ => SendUntilStoppedAsync(region))));

        /// <summary>Reports of the region acknowledged among those sent at or after the timestamp.</summary>
        public int Acknowledged(string region, long sentAfter) =>
            _outcomes.Count(outcome => outcome.Report.Region == region && outcome.Acknowledged && outcome.StartedAt >= sentAfter);

        public async Task<IReadOnlyList<Outcome>> StopAsync()
        {
            await _stop.CancelAsync();
            await _senders;
            return [.. _outcomes];
        }

        public async ValueTask DisposeAsync()
        {
            // Also when the test failed before stopping the load: no sender outlives the test.
            await StopAsync();
            _stop.Dispose();
        }

        private async Task SendUntilStoppedAsync(string region)
        {
            await Task.Yield();
            while (!_stop.IsCancellationRequested)
            {
                var outcome = await SendAsync(http, Report.New(region));
                _outcomes.Enqueue(outcome);
                if (!outcome.Acknowledged)
                {
                    // A refused region answers at once: pace its senders instead of spinning on two shared cores.
                    await PauseAsync(_stop.Token);
                }
            }
        }
    }
}
