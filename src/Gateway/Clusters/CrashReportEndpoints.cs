using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Keys;

namespace PrimeDirective.Gateway.Clusters;

/// <summary>Crash reports an operator chooses to send (proof header, as the cluster's other routes): personal as a whole, never logged.</summary>
internal static class CrashReportEndpoints
{
    public static IEndpointRouteBuilder MapCrashReportEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapWithOptionalRegion(group => group.WithTags("Clusters").ProducesProblem(StatusCodes.Status404NotFound)
            .MapPost("/v1/clusters/{clusterId}/crash-reports", RecordAsync)
            .WithSummary("A crash report (needs the X-Flynn-Bootstrap-Id proof): 202 once stored durably for 180 days; acknowledged with kept: false and discarded while telemetry is disabled, while a linked person has not granted crash-reports consent, or beyond the cluster's daily cap. Rate-limited per client address (429).")
            .RequireClusterProof()
            .RequireRateLimiting(CollectionRateLimits.CrashReportsPolicy));
        return routes;
    }

    private static async Task<Results<Accepted<CrashReportAcknowledgement>, ProblemHttpResult>> RecordAsync(
        HttpContext context, [AsParameters] ClusterEndpoints.OperatorRequest request, CrashReportBody body, ClusterKeys keys, ClusterDesk desk)
    {
        if (request.Resolve(context, keys) is not ({ } key, { } proof))
        {
            return request.Reject(context);
        }

        return await desk.RecordCrashReportAsync(key, proof, body.ToCrashReport()) is var outcome && outcome is Outcome<ReportReceipt>.Done(var receipt)
            ? TypedResults.Accepted((string?)null, new CrashReportAcknowledgement(receipt.ReportId, receipt.AcceptedAt, receipt.Outcome == ReportOutcome.Stored))
            : outcome.Problem();
    }
}

/// <summary>A crash report: version, component, when, message and stack text (the whole body at most 64 KiB).</summary>
internal sealed partial record CrashReportBody(string Version, string Component, DateTimeOffset OccurredAt, string Message, string Stack = "") : IRequestBody
{
    public const int MaxMessageLength = 4096;

    public IRequestBody Check(RequestCheck check)
    {
        check.Require(Identifiers.IsVersion(Version), "version", $"must be 1 to {Identifiers.MaxVersionLength} printable characters");
        check.Require(ComponentPattern().IsMatch(Component), "component", "must be 1 to 64 characters of a-z, 0-9, '_', '.' or '-'");
        check.Require(OccurredAt <= check.Now.AddMinutes(5) && OccurredAt.Year >= 2000, "occurredAt", "must be a time with offset, not in the future");
        check.Require(Message.Length is > 0 and <= MaxMessageLength, "message", $"must be 1 to {MaxMessageLength} characters");
        return this;
    }

    public CrashReport ToCrashReport() => new(Version, Component, OccurredAt, Message, Stack);

    [GeneratedRegex("^[a-z0-9][a-z0-9_.-]{0,63}$")]
    private static partial Regex ComponentPattern();
}

/// <summary>The answer to a crash report: its id, when it was accepted, and whether anything of it was kept.</summary>
internal sealed record CrashReportAcknowledgement(string ReportId, DateTimeOffset AcceptedAt, bool Kept);

/// <summary>The crash report route's JSON, source-generated.</summary>
[JsonSerializable(typeof(CrashReportBody))]
[JsonSerializable(typeof(CrashReportAcknowledgement))]
internal sealed partial class CrashReportJson : JsonSerializerContext;
