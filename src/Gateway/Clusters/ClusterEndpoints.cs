using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Gateway.Requests;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Keys;

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
            var clusters = group.WithTags("Clusters").ProducesProblem(StatusCodes.Status404NotFound);
            clusters.MapGet("/measure/scheduler", SchedulerReportAsync).AsLeanRoute()
                .WithSummary("Flynn's scheduler report; 200 only once it is stored durably.")
                .ProducesProblem(StatusCodes.Status400BadRequest)
                .AddOpenApiOperationTransformer(SchedulerQuery.DescribeAsync);
            clusters.MapPost("/v1/clusters/{clusterId}/reports", JsonReportAsync)
                .WithSummary("A JSON report; 202 once stored durably. A repeated reportId is stored once.");
            clusters.MapGet("/v1/clusters/{clusterId}", GetClusterAsync)
                .WithSummary("Everything held about the cluster (needs the X-Flynn-Bootstrap-Id proof).").RequireClusterProof();
            clusters.MapPut("/v1/clusters/{clusterId}/telemetry", SetTelemetryAsync)
                .WithSummary("The server-side TELEMETRY_DISABLED (needs the proof).").RequireClusterProof();
            clusters.MapPut("/v1/clusters/{clusterId}/bootstrap", RotateProofAsync)
                .WithSummary("Sets a new bootstrap id (needs the current one as proof); reports with the old one are kept for Clusters:ProofGracePeriod, then discarded.")
                .ProducesProblem(StatusCodes.Status400BadRequest).RequireClusterProof();
            clusters.MapPost("/v1/clusters/{clusterId}/erasure", EraseAsync)
                .WithSummary("Erases everything about the cluster (needs the proof).").RequireClusterProof();
        });
        return routes;
    }

    private static async Task<Results<Ok, ProblemHttpResult>> SchedulerReportAsync(HttpContext context, ClusterDesk desk)
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
        await desk.RecordReportAsync(region, report);
        return TypedResults.Ok();
    }

    private static async Task<Results<Accepted<ReportAcknowledgement>, ProblemHttpResult>> JsonReportAsync(
        HttpContext context, string clusterId, ReportBody body, ClusterDesk desk)
    {
        if (RegionRoute.Resolve(context) is not { } region)
        {
            return Problems.UnknownRegion();
        }

        if (Identifiers.Uuid(clusterId) is not { } cluster)
        {
            return MalformedClusterId();
        }

        var receipt = await desk.RecordReportAsync(region, body.ToReport(cluster, ClientAddress.Of(context)));
        return TypedResults.Accepted((string?)null, new ReportAcknowledgement(receipt.ReportId, receipt.AcceptedAt));
    }

    private static async Task<Results<Ok<ClusterView>, ProblemHttpResult>> GetClusterAsync(
        HttpContext context, [AsParameters] OperatorRequest request, IGrainFactory grains, ClusterKeys keys)
    {
        if (request.Resolve(context, keys) is not ({ } key, { } proof))
        {
            return request.Reject(context);
        }

        var cluster = grains.GetGrain<IClusterGrain>(key);
        return await cluster.GetAsync(proof) is { } record &&
            await ClusterView.StreamAsync(record, after => cluster.ReadReportsAsync(proof, after)) is { } view
                ? TypedResults.Ok(view with
                {
                    // The ids may have been destroyed (telemetry disabled): the operator named the cluster, so it is shown as named.
                    ClusterId = view.ClusterId.Length > 0 ? view.ClusterId : Identifiers.Uuid(request.ClusterId)!,
                    Disclosures = await cluster.AsReference<IDisclosureSubject>().GetDisclosuresAsync() ?? [],
                })
                : Problems.NotFound("cluster");
    }

    private static async Task<Results<Ok<TelemetrySetting>, ProblemHttpResult>> SetTelemetryAsync(
        HttpContext context, [AsParameters] OperatorRequest request, TelemetryBody body, ClusterKeys keys, ClusterDesk desk)
    {
        if (request.Resolve(context, keys) is not ({ } key, { } proof))
        {
            return request.Reject(context);
        }

        return await desk.SetTelemetryAsync(key, proof, body.Disabled, body.Purge) is var outcome && outcome is Outcome<TelemetrySetting>.Done(var setting)
            ? TypedResults.Ok(setting)
            : outcome.Problem();
    }

    private static async Task<Results<Ok<ProofRotated>, ProblemHttpResult>> RotateProofAsync(
        HttpContext context, [AsParameters] OperatorRequest request, BootstrapBody body, ClusterKeys keys, ClusterDesk desk)
    {
        if (request.Resolve(context, keys) is not ({ } key, { } proof))
        {
            return request.Reject(context);
        }

        if (Identifiers.Uuid(body.BootstrapId) is not { } newProof)
        {
            return Problems.Malformed(new Dictionary<string, string[]> { ["bootstrapId"] = ["must be a UUID"] });
        }

        return await desk.RotateProofAsync(key, proof, newProof) is var outcome && outcome is Outcome<ProofRotated>.Done(var rotated)
            ? TypedResults.Ok(rotated)
            : outcome.Problem();
    }

    private static async Task<Results<Accepted<ErasureAccepted>, ProblemHttpResult>> EraseAsync(
        HttpContext context, [AsParameters] OperatorRequest request, ClusterKeys keys, ClusterDesk desk)
    {
        if (request.Resolve(context, keys) is not ({ } key, { } proof))
        {
            return request.Reject(context);
        }

        return await desk.RequestErasureAsync(key, proof) is var outcome && outcome is Outcome<ErasureAccepted>.Done(var accepted)
            ? TypedResults.Accepted(accepted.ReceiptUrl, accepted)
            : outcome.Problem();
    }

    private static ProblemHttpResult MalformedClusterId() =>
        Problems.Malformed(new Dictionary<string, string[]> { ["clusterId"] = ["must be a UUID"] });

    /// <summary>An operator's request about their cluster: its id, and the proof that they run it.</summary>
    internal readonly record struct OperatorRequest(string ClusterId, [property: FromHeader(Name = ProofHeader)] string? Proof)
    {
        /// <summary>The grain key and the proof; <c>null</c> parts mean reject.</summary>
        public (string? Key, string? Proof) Resolve(HttpContext context, ClusterKeys keys) =>
            RegionRoute.Resolve(context) is { } region && Identifiers.Uuid(ClusterId) is { } cluster
                ? (keys.For(region, cluster), Identifiers.Uuid(Proof))
                : (null, null);

        /// <summary>Why <see cref="Resolve"/> refused: unknown region, a malformed id, or (the same as unknown) a missing or wrong proof.</summary>
        public ProblemHttpResult Reject(HttpContext context) =>
            RegionRoute.Resolve(context) is null ? Problems.UnknownRegion()
            : Identifiers.Uuid(ClusterId) is null ? MalformedClusterId()
            : Problems.NotFound("cluster");
    }
}
