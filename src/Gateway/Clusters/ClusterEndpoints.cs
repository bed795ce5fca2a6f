using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Gateway.People;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Requests;
using PrimeDirective.Grains.Users;

namespace PrimeDirective.Gateway.Clusters;

/// <summary>Cluster-facing routes: Flynn's scheduler report, JSON reports, and the operator's access, opt-out and erasure.</summary>
internal static class ClusterEndpoints
{
    /// <summary>Proof that the caller runs the cluster: the bootstrap id it reported.</summary>
    public const string ProofHeader = "X-Flynn-Bootstrap-Id";

    public static IEndpointRouteBuilder MapClusterEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapWithOptionalRegion(group =>
        {
            var clusters = group.WithTags("Clusters");
            clusters.MapGet("/measure/scheduler", SchedulerReportAsync)
                .WithSummary("Flynn's scheduler report; 200 only once it is stored durably.");
            clusters.MapPost("/v1/clusters/{clusterId}/reports", JsonReportAsync)
                .WithSummary("A JSON report; 202 once stored durably. A repeated reportId is stored once.");
            clusters.MapGet("/v1/clusters/{clusterId}", GetClusterAsync)
                .WithSummary("Everything held about the cluster (needs the X-Flynn-Bootstrap-Id proof).");
            clusters.MapPut("/v1/clusters/{clusterId}/telemetry", SetTelemetryAsync)
                .WithSummary("The server-side TELEMETRY_DISABLED (needs the proof).");
            clusters.MapPost("/v1/clusters/{clusterId}/erasure", EraseAsync)
                .WithSummary("Erases everything about the cluster (needs the proof).");
        });
        return routes;
    }

    private static async Task<IResult> SchedulerReportAsync(HttpContext context, IGrainFactory grains, ClusterKeys keys)
    {
        if (RegionRoute.Resolve(context) is not { } region)
        {
            return Problems.UnknownRegion();
        }

        var (query, errors) = SchedulerQuery.Parse(context.Request.Query);
        if (query is null)
        {
            return Problems.Malformed(errors);
        }

        var report = new ClusterReport(
            query.ClusterId, query.BootstrapId, ReportId: null, query.Version, ClientAddress.Of(context),
            Usage: query.Counts, Performance: [], Configuration: []);
        return await ClusterCalls.RunAsync(context, async () =>
        {
            await grains.GetGrain<IClusterGrain>(keys.For(region, query.ClusterId)).RecordReportAsync(report);
            return TypedResults.Ok();
        });
    }

    private static async Task<IResult> JsonReportAsync(HttpContext context, string clusterId, IGrainFactory grains, ClusterKeys keys)
    {
        if (RegionRoute.Resolve(context) is not { } region)
        {
            return Problems.UnknownRegion();
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (Identifiers.Uuid(clusterId, "clusterId", errors) is not { } cluster)
        {
            return Problems.Malformed(errors);
        }

        var (document, problem) = await JsonBody.ReadAsync(context.Request, context.RequestAborted);
        if (problem is not null)
        {
            return problem;
        }

        using (document)
        {
            var (request, invalid) = ReportRequest.Parse(document!.RootElement);
            if (request is null)
            {
                return invalid!;
            }

            var report = new ClusterReport(
                cluster, request.BootstrapId, request.ReportId, request.Version, ClientAddress.Of(context),
                request.Usage, request.Performance, request.Configuration);
            return await ClusterCalls.RunAsync(context, async () =>
            {
                var receipt = await grains.GetGrain<IClusterGrain>(keys.For(region, cluster)).RecordReportAsync(report);
                return TypedResults.Accepted((string?)null, new ReportAcknowledgement(receipt.ReportId, receipt.AcceptedAt));
            });
        }
    }

    private static async Task<IResult> GetClusterAsync(
        HttpContext context, string clusterId, [FromHeader(Name = ProofHeader)] string? proof, IGrainFactory grains, ClusterKeys keys)
    {
        if (Target(context, clusterId, proof, keys) is not ({ } key, { } presented))
        {
            return Reject(context, clusterId);
        }

        var cluster = grains.GetGrain<IClusterGrain>(key);
        return await ClusterCalls.RunAsync(context, async () =>
            await cluster.GetAsync(presented) is { } record &&
            await ClusterReports.CompleteAsync(record, after => cluster.ReadReportsAsync(presented, after)) is { } complete
                ? TypedResults.Ok(complete)
                : Problems.NotFound("cluster"));
    }

    private static async Task<IResult> SetTelemetryAsync(
        HttpContext context, string clusterId, [FromHeader(Name = ProofHeader)] string? proof, IGrainFactory grains, ClusterKeys keys)
    {
        if (Target(context, clusterId, proof, keys) is not ({ } key, { } presented))
        {
            return Reject(context, clusterId);
        }

        var (document, problem) = await JsonBody.ReadAsync(context.Request, context.RequestAborted);
        if (problem is not null)
        {
            return problem;
        }

        using (document)
        {
            var root = document!.RootElement;
            var shape = new Dictionary<string, string[]>(StringComparer.Ordinal);
            bool? Flag(string name, bool required)
            {
                if (root.ValueKind != System.Text.Json.JsonValueKind.Object || !root.TryGetProperty(name, out var element))
                {
                    if (required)
                    {
                        shape[name] = ["is required, as true or false"];
                    }

                    return null;
                }

                if (element.ValueKind is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False)
                {
                    return element.GetBoolean();
                }

                shape[name] = ["must be true or false"];
                return null;
            }

            var disabled = Flag("disabled", required: true);
            var purge = Flag("purge", required: false) ?? false;
            if (shape.Count > 0)
            {
                return Problems.Malformed(shape);
            }

            return await ClusterCalls.RunAsync(context, async () =>
                await grains.GetGrain<IClusterGrain>(key).SetTelemetryAsync(presented, disabled!.Value, purge) is { } setting
                    ? TypedResults.Ok(setting)
                    : Problems.NotFound("cluster"));
        }
    }

    private static async Task<IResult> EraseAsync(
        HttpContext context, string clusterId, [FromHeader(Name = ProofHeader)] string? proof, IGrainFactory grains, ClusterKeys keys)
    {
        if (Target(context, clusterId, proof, keys) is not ({ } key, { } presented))
        {
            return Reject(context, clusterId);
        }

        // The request lives in the cluster's region; the cluster records it (proof checked), then submits it.
        var requestId = SubjectIds.New(SubjectKey.RegionOf(key)!);
        var (secret, hash) = Capabilities.New();
        return await ClusterCalls.RunAsync(context, async () =>
        {
            if (await grains.GetGrain<IClusterGrain>(key).RequestErasureAsync(presented, requestId, hash) is not { } view)
            {
                return Problems.NotFound("cluster");
            }

            var accepted = ErasureAccepted.From(view, secret);
            return TypedResults.Accepted(accepted.ReceiptUrl, accepted);
        });
    }

    /// <summary>The grain key and proof of an operator request; <c>null</c> parts mean reject.</summary>
    private static (string? Key, string? Proof) Target(HttpContext context, string clusterId, string? proof, ClusterKeys keys)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var region = RegionRoute.Resolve(context);
        var cluster = Identifiers.Uuid(clusterId, "clusterId", errors);
        var presented = Identifiers.Uuid(proof, ProofHeader, errors);
        return region is null || cluster is null ? (null, null) : (keys.For(region, cluster), presented);
    }

    /// <summary>Why <see cref="Target"/> refused: unknown region, a malformed id, or (the same as unknown) a missing or wrong proof.</summary>
    private static IResult Reject(HttpContext context, string clusterId)
    {
        if (RegionRoute.Resolve(context) is null)
        {
            return Problems.UnknownRegion();
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        return Identifiers.Uuid(clusterId, "clusterId", errors) is null ? Problems.Malformed(errors) : Problems.NotFound("cluster");
    }
}

/// <summary>The answer to an accepted report.</summary>
internal sealed record ReportAcknowledgement(string ReportId, DateTimeOffset AcceptedAt);
