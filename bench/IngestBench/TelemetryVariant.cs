using System.Globalization;

namespace PrimeDirective.IngestBench;

/// <summary>
/// Figure "telemetry" (issue 27): the gateway with the telemetry an operator runs, or with none configured. On: OTLP/HTTP
/// to a local discard sink (<see cref="OtlpDiscardSink"/>) with the shipped sampler (<c>Telemetry:SampleRatio</c> unset:
/// parent-based, 1 % of new traces) and export intervals, the management port open, and a Prometheus scrape of
/// <c>/metrics</c> at the start of the window and every 15 s after (a scrape in every window, even a short one: never
/// flattering). Off: no OTLP endpoint and no management port (the shipped defaults), no scrape.
/// </summary>
internal sealed class TelemetryVariant : IngestPhases
{
    private static readonly TimeSpan s_scrapeInterval = TimeSpan.FromSeconds(15);

    private readonly bool _on;
    private readonly OtlpDiscardSink? _sink;
    private readonly ManagementScrape? _management;
    private readonly CancellationTokenSource _stopScraping = new();
    private Task _scraping = Task.CompletedTask;
    private long _windowScrapes;
    private long _failedScrapes;

    private TelemetryVariant(bool on)
    {
        _on = on;
        if (!on)
        {
            return;
        }

        _sink = new OtlpDiscardSink();
        _management = new ManagementScrape();
        Settings = new Dictionary<string, string>
        {
            ["Telemetry__OtlpEndpoint"] = _sink.Address.ToString(),
            ["Telemetry__OtlpProtocol"] = "http/protobuf",
            [_management.Setting.Key] = _management.Setting.Value,
        };
    }

    public static OnOffFigure Figure { get; } = new(
        "telemetry", "telemetry on (OTLP to a discard sink, 1 % sampled, /metrics scraped every 15 s)", "telemetry off", "≥ 0.95",
        ratio => ratio >= 0.95, on => new TelemetryVariant(on));

    public override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>();

    public override string? Report => _on
        ? string.Create(
            CultureInfo.InvariantCulture,
            $"{_windowScrapes} scrape(s) in the window ({_failedScrapes} failed), {_management!.Bytes / Math.Max(1, _management.Scrapes) / 1024d:0} KiB each; " +
            $"the sink received {_sink!.TracePosts} trace and {_sink.MetricPosts} metric export(s), {_sink.Bytes / 1024d:0} KiB in all " +
            $"(metrics are pushed every 60 s, the SDK's default, and at shutdown){(_sink.TracePosts == 0 ? "; NO trace export reached the sink" : string.Empty)}")
        : "no OTLP endpoint, no management port, no scrape";

    public override async Task AtAsync(IngestPhase phase, string? connectionString, CancellationToken cancellationToken)
    {
        if (_management is null)
        {
            return;
        }

        if (phase == IngestPhase.WindowStarting)
        {
            _scraping = ScrapeEveryAsync(_management, _stopScraping.Token);
        }
        else if (phase == IngestPhase.WindowEnded)
        {
            await _stopScraping.CancelAsync();
            await _scraping;
        }
    }

    private async Task ScrapeEveryAsync(ManagementScrape management, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(s_scrapeInterval);
        try
        {
            do
            {
                try
                {
                    await management.ScrapeAsync(cancellationToken);
                    _windowScrapes++;
                }
                catch (HttpRequestException)
                {
                    _failedScrapes++;
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The window is over.
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await _stopScraping.CancelAsync();
        await _scraping;
        _stopScraping.Dispose();
        _management?.Dispose();
        if (_sink is not null)
        {
            await _sink.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}
