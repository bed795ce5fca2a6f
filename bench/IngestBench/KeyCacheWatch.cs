namespace PrimeDirective.IngestBench;

/// <summary>
/// Figure "first" (issues 21 and 22): the durable run of figure 2 with the management port open, scraped at each phase's
/// edge; the key cache's hits and misses (<c>prime_directive_keys_cache_lookups_total</c>, by <c>result</c>) differenced
/// over the first reports and over the window. Outside the window only, so the scrapes cost the window nothing.
/// </summary>
internal sealed class KeyCacheWatch : IngestPhases
{
    private const string Lookups = "prime_directive_keys_cache_lookups_total";

    private readonly ManagementScrape _management = new();
    private readonly Dictionary<IngestPhase, (double Hits, double Misses)> _at = [];

    public KeyCacheWatch() => Settings = new Dictionary<string, string> { [_management.Setting.Key] = _management.Setting.Value };

    public override IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>Hit rate and lookups over the first reports (new subjects: each a new data key).</summary>
    public (double HitRate, double Lookups) FirstReports => Between(IngestPhase.Ready, IngestPhase.FirstReportsEnded);

    /// <summary>Hit rate and lookups over the measured window.</summary>
    public (double HitRate, double Lookups) Window => Between(IngestPhase.WindowStarting, IngestPhase.WindowEnded);

    public override async Task AtAsync(IngestPhase phase, string? connectionString, CancellationToken cancellationToken)
    {
        var exposition = await _management.ScrapeAsync(cancellationToken);
        _at[phase] = (ManagementScrape.Sum(exposition, Lookups, "result", "hit"), ManagementScrape.Sum(exposition, Lookups, "result", "miss"));
    }

    /// <summary>The rows of figure "first" for <paramref name="round"/>, from figure 2's <paramref name="result"/>.</summary>
    public void Record(FigureTable table, int round, IngestResult result)
    {
        table["first", "first report ÷ steady (figure 2: first reports/s ÷ window req/s)", "0.00", "≥ 0.5", ratio => ratio >= 0.5]
            .Set(round, result.First.Rate / result.Window.Rate);
        table["first", "key-cache hit rate in the window", "0.000"].Set(round, Window.HitRate);
        table["first", "(key-cache lookups per request in the window)", "0.00"].Set(round, Window.Lookups / result.Window.Ok);
        table["first", "(key-cache hit rate during the first reports)", "0.000"].Set(round, FirstReports.HitRate);
        table["first", "(key-cache lookups per first report)", "0.00"].Set(round, FirstReports.Lookups / result.First.Ok);
    }

    private (double HitRate, double Lookups) Between(IngestPhase from, IngestPhase to)
    {
        if (!_at.TryGetValue(from, out var start) || !_at.TryGetValue(to, out var end))
        {
            return (double.NaN, double.NaN);
        }

        var hits = end.Hits - start.Hits;
        var lookups = hits + end.Misses - start.Misses;
        return (lookups > 0 ? hits / lookups : double.NaN, lookups);
    }

    public override async ValueTask DisposeAsync()
    {
        _management.Dispose();
        await base.DisposeAsync();
    }
}
