using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using PrimeDirective.Gateway.Auth;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;

namespace PrimeDirective.Gateway.Sharing;

/// <summary>
/// Legal requests (officers): received with an optional gag, decided in good faith (<c>disclose</c> makes a disclosure
/// with basis <c>legal</c>), the person told once decided, or when the gag ends. A gag still running can be extended.
/// </summary>
internal static class LegalRequestEndpoints
{
    public static IEndpointRouteBuilder MapLegalRequestEndpoints(this IEndpointRouteBuilder routes)
    {
        var requests = routes.MapGroup("/v1/admin/legal-requests").WithTags("Legal requests").RequireAuthorization(GatewayAuth.OfficerPolicy)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        requests.MapPost(string.Empty, ReceiveAsync).WithSummary("Records a request from a government or a lawsuit: authority, reference, subject, categories, optional gagUntil.");
        requests.MapGet("/{requestId}", GetAsync).WithSummary("A legal request and where it stands.");
        requests.MapPost("/{requestId}/decision", DecideAsync).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Decides once: disclose (good-faith rationale; the answer carries the package's URL, this once) or reject (reasons); the person is told unless a gag runs.");
        requests.MapPost("/{requestId}/gag", ExtendGagAsync).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Extends a gag that still runs to a later end.");
        return routes;
    }

    private static async Task<Results<Created<LegalRequestView>, ProblemHttpResult>> ReceiveAsync(LegalRequestBody body, HttpContext context, UserGrains users, IGrainFactory grains)
    {
        if (SubjectIds.Parse(body.Subject.UserId) is not { } parsed || !users.IsRegion(parsed.Region))
        {
            return Problems.NotFound("subject");
        }

        var requestId = SubjectIds.New(parsed.Region);
        var receipt = new LegalRequestReceipt(
            requestId, body.Authority, body.Reference, body.Subject.UserId!, body.Categories, body.Gag, context.User.UserId() ?? "external-officer");
        return await Grain(grains, requestId).ReceiveAsync(receipt, body.PlaceHold) is { } view
            ? TypedResults.Created($"/v1/admin/legal-requests/{requestId}", view)
            : Problems.NotFound("subject");
    }

    private static async Task<Results<Ok<LegalRequestView>, ProblemHttpResult>> GetAsync(string requestId, IGrainFactory grains, UserGrains users) =>
        Known(requestId, users) && await Grain(grains, requestId).GetAsync() is { } view ? TypedResults.Ok(view) : Problems.NotFound("legal request");

    private static async Task<Results<Ok<LegalRequestView>, ProblemHttpResult>> DecideAsync(
        string requestId, LegalDecisionBody body, HttpContext context, IGrainFactory grains, UserGrains users)
    {
        if (!Known(requestId, users))
        {
            return Problems.NotFound("legal request");
        }

        var result = await Grain(grains, requestId).DecideAsync(body.Decision, body.Rationale, context.User.UserId() ?? "external-officer");
        return Answer(result.Outcome, WithPackage(result, requestId), "The request is already decided otherwise.");
    }

    /// <summary>The decided request, with the package's capability URL when this very decision made the disclosure (shown this once).</summary>
    public static LegalRequestView? WithPackage(LegalDecisionResult result, string requestId)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result is { View: { } view, CapabilitySecret: { } secret } && SubjectIds.Parse(requestId) is { } parsed
            ? view with { PackageUrl = $"/v1/disclosure-packages/{SharingKeys.Token(parsed.Region, secret)}", PackageExpiresAt = result.CapabilityExpiresAt }
            : result.View;
    }

    private static async Task<Results<Ok<LegalRequestView>, ProblemHttpResult>> ExtendGagAsync(
        string requestId, GagBody body, HttpContext context, IGrainFactory grains, UserGrains users)
    {
        if (!Known(requestId, users))
        {
            return Problems.NotFound("legal request");
        }

        var (outcome, view) = await Grain(grains, requestId).ExtendGagAsync(body.Until, context.User.UserId() ?? "external-officer");
        return Answer(outcome, view, "Only a gag that still runs can be extended, and only to a later end.");
    }

    private static Results<Ok<LegalRequestView>, ProblemHttpResult> Answer(LegalCommandOutcome outcome, LegalRequestView? view, string conflict) => outcome switch
    {
        LegalCommandOutcome.Done => TypedResults.Ok(view!),
        LegalCommandOutcome.Conflict => Problems.Create(StatusCodes.Status409Conflict, "conflict", "Not possible in the request's state.", conflict),
        _ => Problems.NotFound("legal request"),
    };

    private static bool Known(string requestId, UserGrains users) => SubjectIds.Parse(requestId) is { } parsed && users.IsRegion(parsed.Region);

    private static ILegalRequestGrain Grain(IGrainFactory grains, string requestId) => grains.GetGrain<ILegalRequestGrain>(SharingKeys.LegalRequest(requestId));
}

/// <summary>Whose data a legal request is about (a person).</summary>
internal sealed record LegalSubjectBody(string? UserId = null);

/// <summary>A legal request as an officer records it.</summary>
internal sealed record LegalRequestBody(
    string Authority, string Reference, LegalSubjectBody Subject, ImmutableArray<DataCategory> Categories, DateTimeOffset? GagUntil = null, bool PlaceHold = false) : IRequestBody
{
    /// <summary>The gag, once checked (in the future).</summary>
    [JsonIgnore]
    public DateTimeOffset? Gag { get; private init; }

    public IRequestBody Check(RequestCheck check)
    {
        check.Require(!Categories.IsDefaultOrEmpty && Categories.Distinct().Count() == Categories.Length, "categories", "must list one or more distinct categories");
        check.Require(Subject.UserId is not null, "subject.userId", "is required");
        check.Require(GagUntil is null || GagUntil > check.Now, "gagUntil", "must be in the future");
        return this with
        {
            Authority = check.Text("authority", Authority),
            Reference = check.Text("reference", Reference, SharingEndpoints.MaxTextLength),
            Gag = GagUntil,
        };
    }
}

/// <summary>An officer's decision: <c>disclose</c> with a good-faith rationale, or <c>reject</c> with reasons.</summary>
internal sealed record LegalDecisionBody(LegalDecisionKind Decision, string Rationale) : IRequestBody
{
    public IRequestBody Check(RequestCheck check)
    {
        var rationale = check.Text("rationale", Rationale, SharingEndpoints.MaxTextLength);
        check.Require(Decision != LegalDecisionKind.Disclose || rationale.Length >= 30, "rationale", "must state the good-faith belief that the law requires the disclosure (30 characters or more)");
        return this with { Rationale = rationale };
    }
}

/// <summary>A gag's new end.</summary>
internal sealed record GagBody(DateTimeOffset Until) : IRequestBody
{
    public IRequestBody Check(RequestCheck check)
    {
        check.Require(Until > check.Now, "until", "must be in the future");
        return this;
    }
}

/// <summary>Legal requests' JSON, source-generated.</summary>
[JsonSerializable(typeof(LegalRequestBody))]
[JsonSerializable(typeof(LegalDecisionBody))]
[JsonSerializable(typeof(GagBody))]
[JsonSerializable(typeof(LegalRequestView))]
internal sealed partial class LegalRequestJson : JsonSerializerContext;
