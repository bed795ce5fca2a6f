using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Grains.Interfaces.Clusters;

namespace PrimeDirective.Gateway.Clusters;

/// <summary>
/// A JSON report: <c>reportId</c> is the idempotency key; the sections map metric names to numbers. A section's values
/// are bound as any JSON value, so that one that is no finite number is a value error (422), not a shape error.
/// </summary>
internal sealed partial record ReportBody(
    string BootstrapId,
    string Version,
    string ReportId,
    ImmutableDictionary<string, JsonElement>? Usage = null,
    ImmutableDictionary<string, JsonElement>? Performance = null,
    ImmutableDictionary<string, JsonElement>? Configuration = null) : IRequestBody
{
    public const int MaxMetricsPerSection = 100;

    public IRequestBody Check(RequestCheck check)
    {
        check.Require(Identifiers.IsVersion(Version), "version", $"must be 1 to {Identifiers.MaxVersionLength} printable characters");
        check.Require(ReportIdPattern().IsMatch(ReportId), "reportId", "must be 1 to 128 characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'");
        foreach (var (section, metrics) in new[] { ("usage", Usage), ("performance", Performance), ("configuration", Configuration) })
        {
            string[] problems =
            [
                .. metrics?.Count > MaxMetricsPerSection ? [$"has more than {MaxMetricsPerSection} metrics"] : Array.Empty<string>(),
                .. metrics?.Keys.Any(name => !MetricNamePattern().IsMatch(name)) == true
                    ? ["metric names must be 1 to 64 characters of a-z, 0-9, '_', '.' or '-', starting with a letter or digit"] : Array.Empty<string>(),
                .. metrics?.Values.Any(value => Number(value) is null) == true ? ["metric values must be finite numbers"] : Array.Empty<string>(),
            ];
            check.Require(problems.Length == 0, section, problems);
        }

        return this with { BootstrapId = check.Uuid("bootstrapId", BootstrapId) };
    }

    /// <summary>What the cluster grain stores (after <see cref="Check"/>, every value is a finite number).</summary>
    public ClusterReport ToReport(string clusterId, string? ipAddress) =>
        new(clusterId, BootstrapId, ReportId, Version, ipAddress, Numbers(Usage), Numbers(Performance), Numbers(Configuration));

    private static ImmutableDictionary<string, double> Numbers(ImmutableDictionary<string, JsonElement>? metrics) =>
        metrics?.ToImmutableDictionary(metric => metric.Key, metric => Number(metric.Value)!.Value, StringComparer.Ordinal) ?? ImmutableDictionary<string, double>.Empty;

    private static double? Number(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number) ? number : null;

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,128}$")]
    private static partial Regex ReportIdPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9_.-]{0,63}$")]
    private static partial Regex MetricNamePattern();
}

/// <summary>The server-side TELEMETRY_DISABLED; <c>purge</c> also destroys what is held.</summary>
internal sealed record TelemetryBody(bool Disabled, bool Purge = false);

/// <summary>The bootstrap id the operator chose to replace the current one (a UUID, as Flynn's).</summary>
internal sealed record BootstrapBody(string BootstrapId);

/// <summary>
/// A new bootstrap id is set: reports with the old one are kept until <paramref name="PreviousAcceptedUntil"/>, then
/// acknowledged and discarded; only the new one proves the operator.
/// </summary>
internal sealed record ProofRotated(DateTimeOffset PreviousAcceptedUntil);

/// <summary>The answer to an accepted report.</summary>
internal sealed record ReportAcknowledgement(string ReportId, DateTimeOffset AcceptedAt);

/// <summary>The cluster routes' JSON, source-generated.</summary>
[JsonSerializable(typeof(ReportBody))]
[JsonSerializable(typeof(TelemetryBody))]
[JsonSerializable(typeof(BootstrapBody))]
[JsonSerializable(typeof(ProofRotated))]
[JsonSerializable(typeof(ReportAcknowledgement))]
[JsonSerializable(typeof(ClusterView))]
[JsonSerializable(typeof(TelemetrySetting))]
internal sealed partial class ClusterJson : JsonSerializerContext;
