using System.Globalization;

namespace PrimeDirective.IngestBench;

/// <summary>
/// The gateway's management port (<c>Management:Urls</c>, on loopback) and its Prometheus scrape, <c>GET /metrics</c>:
/// the service's own numbers, read the way an operator's Prometheus reads them.
/// </summary>
internal sealed class ManagementScrape : IDisposable
{
    private readonly HttpClient _http;

    public ManagementScrape()
    {
        Address = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{BenchPorts.Next()}/"));
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Where the management listener is to listen.</summary>
    public Uri Address { get; }

    /// <summary>The gateway setting that opens the management port there (and with it the Prometheus reader).</summary>
    public KeyValuePair<string, string> Setting => new("Management__Urls", Address.ToString().TrimEnd('/'));

    /// <summary>Scrapes served, and their bytes.</summary>
    public long Scrapes { get; private set; }

    public long Bytes { get; private set; }

    /// <summary>One scrape; it throws unless it is answered 200.</summary>
    public async Task<string> ScrapeAsync(CancellationToken cancellationToken)
    {
        var text = await _http.GetStringAsync(new Uri("/metrics", UriKind.Relative), cancellationToken);
        Scrapes++;
        Bytes += text.Length;
        return text;
    }

    /// <summary>
    /// The sum of the samples of <paramref name="metric"/> whose label <paramref name="label"/> is <paramref name="value"/>,
    /// in a Prometheus text exposition (every series, whatever its other labels); 0 if there is none.
    /// </summary>
    public static double Sum(string exposition, string metric, string label, string value)
    {
        var sum = 0d;
        var wanted = $"{label}=\"{value}\"";
        foreach (var line in exposition.Split('\n'))
        {
            if (!line.StartsWith(metric, StringComparison.Ordinal) || line.Length == metric.Length || line[metric.Length] is not ('{' or ' '))
            {
                continue;
            }

            var end = line.IndexOf('}', StringComparison.Ordinal);
            var labels = end < 0 ? string.Empty : line[metric.Length..end];
            if (!labels.Contains(wanted, StringComparison.Ordinal))
            {
                continue;
            }

            var sample = line[(end < 0 ? metric.Length : end + 1)..].Trim().Split(' ')[0];
            sum += double.Parse(sample, NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        return sum;
    }

    public void Dispose() => _http.Dispose();
}
