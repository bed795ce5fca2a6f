using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;

namespace PrimeDirective.IngestBench;

/// <summary>
/// The gateway as it ships, in its own process: <c>dotnet PrimeDirective.Gateway.dll</c> with a co-hosted silo
/// (<c>Orleans:Mode=cohosted</c>), durable on a bench database or, without a connection string, in memory. Kestrel on
/// 127.0.0.1 (port 0, read back from its log). Its log is scanned as it comes, never kept whole: an overloaded silo
/// logs millions of lines.
/// </summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    private const string ListeningPrefix = "Now listening on: ";
    private const string PoolExhausted = "connection pool has been exhausted";
    private const int KeptFailures = 5;
    private const int KeptContinuationLines = 2;

    private readonly Process _process;
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private readonly List<string> _firstFailures = [];
    private readonly string _workDirectory;
    private readonly string? _managementUrls;
    private long _poolExhausted;
    private long _warnings;
    private long _failures;
    private int _continuation;

    private GatewayProcess(Process process, string workDirectory, string? managementUrls)
    {
        _process = process;
        _workDirectory = workDirectory;
        _managementUrls = managementUrls;
    }

    /// <summary>Where Kestrel listens.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>The gateway's process id (for dotnet-counters and dotnet-trace).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Log lines that say the Npgsql pool ran dry (each failed operation logs it at least once).</summary>
    public long PoolExhaustedLines => Interlocked.Read(ref _poolExhausted);

    /// <summary>Log entries at Warning.</summary>
    public long Warnings => Interlocked.Read(ref _warnings);

    /// <summary>Log entries at Error or Critical.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>The first few error entries, for the reader of a failed run.</summary>
    public IReadOnlyList<string> FirstFailures
    {
        get
        {
            lock (_lock)
            {
                return [.. _firstFailures];
            }
        }
    }

    /// <summary>Starts a gateway; durable when <paramref name="connectionString"/> is given, else in memory.</summary>
    public static async Task<GatewayProcess> StartAsync(
        string? connectionString, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var assembly = typeof(GatewayProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "GatewayAssembly").Value!;
        if (!File.Exists(assembly))
        {
            throw new InvalidOperationException($"The gateway is not built at {assembly}: build bench/IngestBench (it builds the gateway first).");
        }

        var serviceId = $"ingest-bench-{Guid.NewGuid():N}";
        var workDirectory = Path.Combine(Path.GetTempPath(), serviceId);
        Directory.CreateDirectory(workDirectory);
        var start = new ProcessStartInfo("dotnet", [assembly])
        {
            WorkingDirectory = workDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            // Not Production: one process on loopback (a development Orleans certificate, plain HTTP); Production demands TLS.
            ["ASPNETCORE_ENVIRONMENT"] = "Benchmark",
            ["Orleans__Mode"] = "cohosted",
            ["Orleans__ClusterId"] = serviceId,
            ["Orleans__ServiceId"] = serviceId,
            ["Orleans__SiloPort"] = BenchPorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = BenchPorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Privacy__PseudonymKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Auth__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Outbox__Directory"] = Path.Combine(workDirectory, "outbox"),
            // Warnings and errors only (they are counted), plus the line that says where Kestrel listens.
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
        };
        if (connectionString is not null)
        {
            environment["ConnectionStrings__PrimeDirective"] = connectionString;

            // The bench's one database holds the key store's table too: it measures the work of sealing, not the split.
            environment["ConnectionStrings__KeyStore"] = connectionString;
            environment["KeyStore__Keks__1"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

            // A durable gateway signs receipts and refuses to start without an Ed25519 key (PKCS#8 PEM).
            using var receiptKey = NSec.Cryptography.Key.Create(NSec.Cryptography.SignatureAlgorithm.Ed25519,
                new NSec.Cryptography.KeyCreationParameters { ExportPolicy = NSec.Cryptography.KeyExportPolicies.AllowPlaintextExport });
            environment["Receipts__Keys__bench"] = System.Text.Encoding.ASCII.GetString(receiptKey.Export(NSec.Cryptography.KeyBlobFormat.PkixPrivateKeyText));
        }

        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the gateway.");
        var gateway = new GatewayProcess(process, workDirectory, environment.GetValueOrDefault("Management__Urls"));
        process.OutputDataReceived += (_, line) => gateway.Scan(line.Data);
        process.ErrorDataReceived += (_, line) => gateway.Scan(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await gateway.WaitReadyAsync(cancellationToken);
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }

        return gateway;
    }

    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(2));
        var exited = _process.WaitForExitAsync(deadline.Token);
        var listening = await Task.WhenAny(_listening.Task, exited);
        if (listening != _listening.Task)
        {
            deadline.Token.ThrowIfCancellationRequested();
            throw new InvalidOperationException($"The gateway exited ({_process.ExitCode}) before listening: {string.Join(" | ", FirstFailures)}");
        }

        Address = await _listening.Task;
        using var http = new HttpClient { BaseAddress = Address };
        while (true)
        {
            try
            {
                using var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative), deadline.Token);
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not answering yet.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token);
        }
    }

    private void Scan(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.Contains(ListeningPrefix, StringComparison.Ordinal))
        {
            var address = line[(line.IndexOf(ListeningPrefix, StringComparison.Ordinal) + ListeningPrefix.Length)..].Trim();

            // The management listener (when a figure opens it) is a Kestrel server too, and says so the same way.
            if (address != _managementUrls)
            {
                _listening.TrySetResult(new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
            }
        }

        if (line.Contains(PoolExhausted, StringComparison.OrdinalIgnoreCase))
        {
            Interlocked.Increment(ref _poolExhausted);
        }

        if (line.StartsWith("warn:", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _warnings);
        }
        else if (line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal) || line.StartsWith("Unhandled exception", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _failures);
            lock (_lock)
            {
                if (_firstFailures.Count < KeptFailures)
                {
                    _firstFailures.Add(line);
                    _continuation = KeptContinuationLines;
                    return;
                }
            }
        }

        lock (_lock)
        {
            // The console logger writes an entry's message (and exception) on the lines after its level and category.
            if (_continuation > 0 && line.StartsWith(' '))
            {
                _continuation--;
                var entry = $"{_firstFailures[^1]} {line.Trim()}";
                _firstFailures[^1] = entry.Length > 500 ? entry[..500] : entry;
            }
            else
            {
                _continuation = 0;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM to this process id: a graceful stop (the silo leaves the cluster); killed if it takes too long.
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
        if (Directory.Exists(_workDirectory))
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
    }
}
