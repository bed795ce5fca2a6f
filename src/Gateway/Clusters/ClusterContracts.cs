using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Grains.Interfaces.Clusters;

namespace PrimeDirective.Gateway.Clusters;

/// <summary>A JSON report: <c>reportId</c> is the idempotency key; the sections map metric names to numbers.</summary>
internal sealed partial record ReportBody(
    string BootstrapId,
    string Version,
    string ReportId,
    [property: JsonConverter(typeof(MetricsConverter))] ImmutableDictionary<string, double>? Usage = null,
    [property: JsonConverter(typeof(MetricsConverter))] ImmutableDictionary<string, double>? Performance = null,
    [property: JsonConverter(typeof(MetricsConverter))] ImmutableDictionary<string, double>? Configuration = null) : IRequestBody
{
    public const int MaxMetricsPerSection = 100;

    private static readonly ImmutableDictionary<string, double> s_empty = ImmutableDictionary<string, double>.Empty;

    public IRequestBody Check(RequestCheck check)
    {
        if (!Identifiers.IsVersion(Version))
        {
            check.Values["version"] = [$"must be 1 to {Identifiers.MaxVersionLength} printable characters"];
        }

        if (!ReportIdPattern().IsMatch(ReportId))
        {
            check.Values["reportId"] = ["must be 1 to 128 characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'"];
        }

        CheckMetrics(check, "usage", Usage);
        CheckMetrics(check, "performance", Performance);
        CheckMetrics(check, "configuration", Configuration);
        return this with { BootstrapId = check.Uuid("bootstrapId", BootstrapId) };
    }

    /// <summary>What the cluster grain stores.</summary>
    public ClusterReport ToReport(string clusterId, string? ipAddress) =>
        new(clusterId, BootstrapId, ReportId, Version, ipAddress, Usage ?? s_empty, Performance ?? s_empty, Configuration ?? s_empty);

    private static void CheckMetrics(RequestCheck check, string section, ImmutableDictionary<string, double>? metrics)
    {
        var problems = new List<string>();
        if (metrics?.Count > MaxMetricsPerSection)
        {
            problems.Add($"has more than {MaxMetricsPerSection} metrics");
        }

        if (metrics?.Keys.Any(name => !MetricNamePattern().IsMatch(name)) == true)
        {
            problems.Add("metric names must be 1 to 64 characters of a-z, 0-9, '_', '.' or '-', starting with a letter or digit");
        }

        if (metrics?.Values.Any(value => !double.IsFinite(value)) == true)
        {
            problems.Add("metric values must be finite numbers");
        }

        if (problems.Count > 0)
        {
            check.Values[section] = [.. problems];
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,128}$")]
    private static partial Regex ReportIdPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9_.-]{0,63}$")]
    private static partial Regex MetricNamePattern();
}

/// <summary>The server-side TELEMETRY_DISABLED; <c>purge</c> also destroys what is held.</summary>
internal sealed record TelemetryBody(bool Disabled, bool Purge = false);

/// <summary>The answer to an accepted report.</summary>
internal sealed record ReportAcknowledgement(string ReportId, DateTimeOffset AcceptedAt);

/// <summary>
/// A section of metrics. Any JSON value is read, so that a value that is no finite number is a value error (422, from
/// <see cref="ReportBody.Check"/>), not a shape error; a section that is no object, or repeats a name, is a shape error.
/// </summary>
internal sealed class MetricsConverter : JsonConverter<ImmutableDictionary<string, double>>
{
    public override ImmutableDictionary<string, double> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A metrics section must be an object.");
        }

        var metrics = ImmutableDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            var value = reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var number) ? number : double.NaN;
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !reader.TrySkip())
            {
                throw new JsonException("A metric value is incomplete.");
            }

            if (!metrics.TryAdd(name, value))
            {
                throw new JsonException("A metric name is repeated.");
            }
        }

        return metrics.ToImmutable();
    }

    public override void Write(Utf8JsonWriter writer, ImmutableDictionary<string, double> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (name, number) in value)
        {
            writer.WriteNumber(name, number);
        }

        writer.WriteEndObject();
    }
}

/// <summary>The cluster routes' JSON, source-generated.</summary>
[JsonSerializable(typeof(ReportBody))]
[JsonSerializable(typeof(TelemetryBody))]
[JsonSerializable(typeof(ReportAcknowledgement))]
[JsonSerializable(typeof(ClusterRecord))]
[JsonSerializable(typeof(TelemetrySetting))]
internal sealed partial class ClusterJson : JsonSerializerContext;
