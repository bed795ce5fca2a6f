using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Auth;
using PrimeDirective.Gateway.Governance;
using PrimeDirective.Grains.Interfaces.Governance;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Retention;

namespace PrimeDirective.Gateway.Admin;

/// <summary>
/// Legal holds (officers): placed on a person or a cluster with a reason, a reference and an optional end; while one
/// runs, expiry and erasure of that subject wait. Also each region's daily ledger of destruction.
/// </summary>
internal static class LegalHoldEndpoints
{
    public const int MaxTextLength = 1000;

    public static IEndpointRouteBuilder MapLegalHoldEndpoints(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/v1/admin").WithTags("Legal holds").RequireAuthorization(GatewayAuth.OfficerPolicy)
            .ProducesProblem(StatusCodes.Status404NotFound);
        var holds = admin.MapGroup("/legal-holds");
        holds.MapPut("/users/{userId}", (string userId, LegalHoldBody body, HttpContext context, OfficerSubjects subjects, LegalHoldDesk desk) =>
            PlaceAsync(subjects.User(userId), body, context, desk)).WithSummary("Places a legal hold on a person.");
        holds.MapDelete("/users/{userId}", (string userId, HttpContext context, OfficerSubjects subjects, GovernanceDesk governance) =>
            LiftAsync(subjects.User(userId), userId, null, context, governance))
            .WithSummary("Lifts a person's legal hold; expiry and erasure resume at once. Only proposed (202) until a second officer approves.");
        holds.MapGet("/users/{userId}", (string userId, OfficerSubjects subjects) =>
            GetAsync(subjects.User(userId))).WithSummary("A person's legal hold.");
        holds.MapPut("/clusters/{clusterId}", ([AsParameters] ClusterSubject cluster, LegalHoldBody body, HttpContext context, LegalHoldDesk desk) =>
            PlaceAsync(cluster.Named(), body, context, desk)).WithSummary("Places a legal hold on a cluster (?region=, default the home region).");
        holds.MapDelete("/clusters/{clusterId}", ([AsParameters] ClusterSubject cluster, HttpContext context, GovernanceDesk governance) =>
            LiftAsync(cluster.Named(), cluster.ClusterId, cluster.Named()?.Region ?? string.Empty, context, governance))
            .WithSummary("Lifts a cluster's legal hold; expiry and erasure resume at once. Only proposed (202) until a second officer approves.");
        holds.MapGet("/clusters/{clusterId}", ([AsParameters] ClusterSubject cluster) =>
            GetAsync(cluster.Named())).WithSummary("A cluster's legal hold.");
        admin.MapGet("/destruction-ledger/{region}/{date}", LedgerAsync)
            .WithSummary("How many items of each category were destroyed in a region on a day (yyyy-MM-dd), and why.");
        return routes;
    }

    private static async Task<Results<Ok<LegalHold>, ProblemHttpResult>> PlaceAsync(NamedSubject? subject, LegalHoldBody body, HttpContext context, LegalHoldDesk desk) =>
        await desk.PlaceAsync(subject, body, context.User.UserId() ?? "external-officer") is Outcome<LegalHold>.Done(var hold) ? TypedResults.Ok(hold) : Problems.NotFound("subject");

    private static async Task<Results<NoContent, Accepted<ProposalView>, ProblemHttpResult>> LiftAsync(
        NamedSubject? subject, string subjectId, string? region, HttpContext context, GovernanceDesk governance)
    {
        var officerId = context.User.UserId() ?? "external-officer";
        if (governance.Governs(GovernedAction.LegalHoldLift))
        {
            return await governance.ProposeLiftAsync(subject, subjectId, region, officerId) is var proposed && proposed is Outcome<ProposalView>.Done(var proposal)
                ? GovernanceEndpoints.Accepted(proposal)
                : proposed.Problem();
        }

        return await LegalHoldDesk.LiftAsync(subject, officerId) is Outcome<bool>.Done ? TypedResults.NoContent() : Problems.NotFound("legal hold");
    }

    private static async Task<Results<Ok<LegalHold>, ProblemHttpResult>> GetAsync(NamedSubject? subject) =>
        await LegalHoldDesk.FindAsync(subject) is Outcome<LegalHold?>.Done({ } hold) ? TypedResults.Ok(hold) : Problems.NotFound("legal hold");

    private static async Task<Results<Ok<ImmutableArray<DestructionEntry>>, ProblemHttpResult>> LedgerAsync(string region, string date, LedgerDesk ledger) =>
        await ledger.ReadAsync(region, date) is Outcome<ImmutableArray<DestructionEntry>>.Done(var entries) ? TypedResults.Ok(entries) : Problems.NotFound("ledger");

    /// <summary>A cluster named by an officer: its id, and its region (<c>?region=</c>, default the home region).</summary>
    internal readonly record struct ClusterSubject(string ClusterId, [property: FromQuery(Name = "region")] string? Region, OfficerSubjects Subjects)
    {
        public NamedSubject? Named() => Subjects.Cluster(ClusterId, Region);
    }
}

/// <summary>A legal hold: why, the legal reference, and optionally when it ends (ISO 8601 with offset, in the future).</summary>
internal sealed record LegalHoldBody(string Reason, string Reference, string? EndsAt = null) : IRequestBody
{
    /// <summary>The parsed end, once checked.</summary>
    [JsonIgnore]
    public DateTimeOffset? End { get; private init; }

    public IRequestBody Check(RequestCheck check)
    {
        DateTimeOffset? end = IsoInstant.Parse(EndsAt) is { } parsed && parsed > check.Now ? parsed : null;
        check.Require(EndsAt is null || end is not null, "endsAt", "must be a future date and time (ISO 8601, with offset)");
        return this with
        {
            Reason = check.Text("reason", Reason, LegalHoldEndpoints.MaxTextLength),
            Reference = check.Text("reference", Reference, LegalHoldEndpoints.MaxTextLength),
            End = end,
        };
    }
}

/// <summary>Legal holds' JSON, source-generated.</summary>
[JsonSerializable(typeof(LegalHoldBody))]
[JsonSerializable(typeof(LegalHold))]
[JsonSerializable(typeof(ImmutableArray<DestructionEntry>))]
internal sealed partial class LegalHoldJson : JsonSerializerContext;
