using System.Diagnostics.Metrics;
using System.Text;

namespace PrimeDirective.Tests.Telemetry;

/// <summary>
/// The names OpenTelemetry's Prometheus exporter (OpenTelemetry.Exporter.Prometheus.AspNetCore 1.20.1-beta.1) gives an
/// instrument, by the rules of its PrometheusMetric: every character but letters, digits and ':' becomes one '_'; the
/// unit without its {annotations}, with abbreviations spelled out (s: seconds), is appended unless the name already ends
/// with it; a counter gets '_total'; a histogram is scraped as '_bucket', '_sum' and '_count'.
/// </summary>
public static class PrometheusNames
{
    /// <summary>Every series name a scrape shows for <paramref name="instrument"/>.</summary>
    public static IReadOnlyList<string> Of(Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        var name = Sanitize(instrument.Name);
        var unit = Unit(instrument.Unit);
        if (unit.Length > 0 && !name.EndsWith(unit, StringComparison.Ordinal))
        {
            name += "_" + unit;
        }

        var kind = instrument.GetType().GetGenericTypeDefinition();
        if (kind == typeof(Counter<>) || kind == typeof(ObservableCounter<>))
        {
            return [name.EndsWith("_total", StringComparison.Ordinal) ? name : name + "_total"];
        }

        return kind == typeof(Histogram<>) ? [name + "_bucket", name + "_sum", name + "_count"] : [name];
    }

    private static string Sanitize(string name)
    {
        var sanitized = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (char.IsLetterOrDigit(c) || c == ':')
            {
                sanitized.Append(c);
            }
            else if (sanitized.Length == 0 || sanitized[^1] != '_')
            {
                sanitized.Append('_');
            }
        }

        return sanitized.ToString();
    }

    private static string Unit(string? unit)
    {
        var plain = new StringBuilder();
        var depth = 0;
        foreach (var c in unit ?? string.Empty)
        {
            depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            if (depth == 0 && c != '}')
            {
                plain.Append(c);
            }
        }

        return plain.ToString() switch
        {
            "s" => "seconds",
            "ms" => "milliseconds",
            "By" => "bytes",
            "1" => string.Empty,
            var other => other,
        };
    }
}
