using System.Collections.Immutable;
using System.Text.Json;
using System.Text.RegularExpressions;
using PrimeDirective.Gateway.Http;

namespace PrimeDirective.Gateway.Clusters;

/// <summary>
/// The JSON report of <c>POST /v1/clusters/{clusterId}/reports</c>: <c>bootstrapId</c>, <c>version</c>,
/// <c>reportId</c> (idempotency key), and <c>usage</c>, <c>performance</c>, <c>configuration</c> maps of metric name to number.
/// </summary>
internal sealed partial record ReportRequest(
    string BootstrapId,
    string Version,
    string ReportId,
    ImmutableDictionary<string, double> Usage,
    ImmutableDictionary<string, double> Performance,
    ImmutableDictionary<string, double> Configuration)
{
    public const int MaxMetricsPerSection = 100;

    public const int MaxMetricNameLength = 64;

    public const int MaxReportIdLength = 128;

    /// <summary>Shape errors answer 400, value errors 422; either way nothing is stored.</summary>
    public static (ReportRequest? Request, IResult? Problem) Parse(JsonElement root)
    {
        var shape = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var values = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, Problems.Malformed(new Dictionary<string, string[]> { ["$"] = ["must be a JSON object"] }));
        }

        string? Text(string name)
        {
            if (!root.TryGetProperty(name, out var element) || element.ValueKind != JsonValueKind.String)
            {
                shape[name] = ["is required, as a string"];
                return null;
            }

            return element.GetString();
        }

        var bootstrapId = Identifiers.Uuid(Text("bootstrapId"), "bootstrapId", values);
        var version = Text("version");
        if (version is not null && !Identifiers.IsVersion(version))
        {
            values["version"] = [$"must be 1 to {SchedulerQuery.MaxVersionLength} printable characters"];
        }

        var reportId = Text("reportId");
        if (reportId is not null && !ReportIdPattern().IsMatch(reportId))
        {
            values["reportId"] = [$"must be 1 to {MaxReportIdLength} characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'"];
        }

        var usage = Metrics(root, "usage", shape, values);
        var performance = Metrics(root, "performance", shape, values);
        var configuration = Metrics(root, "configuration", shape, values);

        if (shape.Count > 0)
        {
            return (null, Problems.Malformed(shape));
        }

        if (values.Count > 0)
        {
            return (null, Problems.Invalid(values));
        }

        return (new ReportRequest(bootstrapId!, version!, reportId!, usage, performance, configuration), null);
    }

    private static ImmutableDictionary<string, double> Metrics(
        JsonElement root, string section, Dictionary<string, string[]> shape, Dictionary<string, string[]> values)
    {
        if (!root.TryGetProperty(section, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return ImmutableDictionary<string, double>.Empty;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            shape[section] = ["must be an object of metric name to number"];
            return ImmutableDictionary<string, double>.Empty;
        }

        var metrics = ImmutableDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var metric in element.EnumerateObject())
        {
            if (metrics.Count >= MaxMetricsPerSection)
            {
                problems.Add($"has more than {MaxMetricsPerSection} metrics");
                break;
            }

            if (!MetricNamePattern().IsMatch(metric.Name))
            {
                problems.Add($"metric names must be 1 to {MaxMetricNameLength} characters of a-z, 0-9, '_', '.' or '-', starting with a letter or digit");
                continue;
            }

            if (metric.Value.ValueKind != JsonValueKind.Number || !metric.Value.TryGetDouble(out var number) || !double.IsFinite(number))
            {
                problems.Add("metric values must be finite numbers");
                continue;
            }

            metrics[metric.Name] = number;
        }

        if (problems.Count > 0)
        {
            values[section] = [.. problems.Distinct()];
        }

        return metrics.ToImmutable();
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,128}$")]
    private static partial Regex ReportIdPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9_.-]{0,63}$")]
    private static partial Regex MetricNamePattern();
}
