using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Auth;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Keys;
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
        holds.MapPut("/users/{userId}", (string userId, LegalHoldBody body, HttpContext context, UserGrains users) =>
            PlaceAsync(UserSubject(userId, users), body, context)).WithSummary("Places a legal hold on a person.");
        holds.MapDelete("/users/{userId}", (string userId, HttpContext context, UserGrains users) =>
            LiftAsync(UserSubject(userId, users), context)).WithSummary("Lifts a person's legal hold; expiry and erasure resume at once.");
        holds.MapGet("/users/{userId}", (string userId, UserGrains users) =>
            GetAsync(UserSubject(userId, users))).WithSummary("A person's legal hold.");
        holds.MapPut("/clusters/{clusterId}", ([AsParameters] ClusterSubject cluster, LegalHoldBody body, HttpContext context) =>
            PlaceAsync(cluster.Grain(), body, context)).WithSummary("Places a legal hold on a cluster (?region=, default the home region).");
        holds.MapDelete("/clusters/{clusterId}", ([AsParameters] ClusterSubject cluster, HttpContext context) =>
            LiftAsync(cluster.Grain(), context)).WithSummary("Lifts a cluster's legal hold; expiry and erasure resume at once.");
        holds.MapGet("/clusters/{clusterId}", ([AsParameters] ClusterSubject cluster) =>
            GetAsync(cluster.Grain())).WithSummary("A cluster's legal hold.");
        admin.MapGet("/destruction-ledger/{region}/{date}", LedgerAsync)
            .WithSummary("How many items of each category were destroyed in a region on a day (yyyy-MM-dd), and why.");
        return routes;
    }

    private static ILegalHoldSubject? UserSubject(string userId, UserGrains users) =>
        SubjectIds.Parse(userId) is { } parsed && users.IsRegion(parsed.Region) ? users.User(userId) : null;

    private static async Task<Results<Ok<LegalHold>, ProblemHttpResult>> PlaceAsync(ILegalHoldSubject? subject, LegalHoldBody body, HttpContext context)
    {
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var hold = new LegalHold(body.Reason, body.Reference, now, body.End, context.User.UserId() ?? "external-officer");
        return subject is not null && await subject.PlaceLegalHoldAsync(hold) ? TypedResults.Ok(hold) : Problems.NotFound("subject");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> LiftAsync(ILegalHoldSubject? subject, HttpContext context) =>
        subject is not null && await subject.LiftLegalHoldAsync(context.User.UserId() ?? "external-officer") ? TypedResults.NoContent() : Problems.NotFound("legal hold");

    private static async Task<Results<Ok<LegalHold>, ProblemHttpResult>> GetAsync(ILegalHoldSubject? subject) =>
        subject is not null && await subject.GetLegalHoldAsync() is { } hold ? TypedResults.Ok(hold) : Problems.NotFound("legal hold");

    private static async Task<Results<Ok<ImmutableArray<DestructionEntry>>, ProblemHttpResult>> LedgerAsync(
        string region, string date, UserGrains users, IGrainFactory grains)
    {
        if (!users.IsRegion(region) || RequestCheck.ParseDate(date) is not { } day)
        {
            return Problems.NotFound("ledger");
        }

        var at = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        return TypedResults.Ok(await grains.GetGrain<IDestructionLedgerGrain>(LedgerKeys.For(region, at)).ReadAsync());
    }

    /// <summary>A cluster named by an officer: its id, and its region (<c>?region=</c>, default the home region).</summary>
    internal readonly record struct ClusterSubject(string ClusterId, [property: FromQuery(Name = "region")] string? Region, IGrainFactory Grains, ClusterKeys Keys, UserGrains People)
    {
        public ILegalHoldSubject? Grain() =>
            Identifiers.Uuid(ClusterId) is { } cluster && (Region ?? People.Home) is var region && People.IsRegion(region)
                ? Grains.GetGrain<IClusterGrain>(Keys.For(region, cluster))
                : null;
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
