using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Auth;
using PrimeDirective.Gateway.Governance;
using PrimeDirective.Gateway.Http;
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
        requests.MapPost(string.Empty, ReceiveAsync).WithSummary("Records a request from a government or a lawsuit: authority, reference, subject, categories, optional gagUntil, optional authorityKind (law-enforcement, court, government, private-party, other: the transparency report counts by it).");
        requests.MapGet("/{requestId}", GetAsync).WithSummary("A legal request and where it stands.");
        requests.MapPost("/{requestId}/decision", DecideAsync).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Decides once: disclose (good-faith rationale; the answer carries the package's URL, this once) or reject (reasons); the person is told unless a gag runs. Disclose is only proposed (202) until a second officer approves.");
        requests.MapPost("/{requestId}/gag", ExtendGagAsync).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Extends a gag that still runs to a later end.");
        return routes;
    }

    private static async Task<Results<Created<LegalRequestView>, ProblemHttpResult>> ReceiveAsync(LegalRequestBody body, HttpContext context, LegalRequestDesk desk) =>
        await desk.ReceiveAsync(body, context.User.UserId() ?? "external-officer") is var outcome && outcome is Outcome<LegalRequestView>.Done(var view)
            ? TypedResults.Created($"/v1/admin/legal-requests/{view.Request.RequestId}", view)
            : outcome.Problem();

    private static async Task<Results<Ok<LegalRequestView>, ProblemHttpResult>> GetAsync(string requestId, LegalRequestDesk desk) =>
        await desk.GetAsync(requestId) is { } view ? TypedResults.Ok(view) : Problems.NotFound("legal request");

    private static async Task<Results<Ok<LegalRequestView>, Accepted<ProposalView>, ProblemHttpResult>> DecideAsync(
        string requestId, LegalDecisionBody body, HttpContext context, LegalRequestDesk desk, GovernanceDesk governance)
    {
        var officerId = context.User.UserId() ?? "external-officer";
        if (await governance.GovernsAsync(requestId, body))
        {
            return await governance.ProposeAsync(requestId, body, officerId) is var proposed && proposed is Outcome<ProposalView>.Done(var proposal)
                ? GovernanceEndpoints.Accepted(proposal)
                : proposed.Problem();
        }

        return await desk.DecideAsync(requestId, body, officerId) is var outcome && outcome is Outcome<LegalRequestView>.Done(var view) ? TypedResults.Ok(view) : outcome.Problem();
    }

    private static async Task<Results<Ok<LegalRequestView>, ProblemHttpResult>> ExtendGagAsync(string requestId, GagBody body, HttpContext context, LegalRequestDesk desk) =>
        Answer(await desk.ExtendGagAsync(requestId, body, context.User.UserId() ?? "external-officer"));

    private static Results<Ok<LegalRequestView>, ProblemHttpResult> Answer(Outcome<LegalRequestView> outcome) =>
        outcome is Outcome<LegalRequestView>.Done(var view) ? TypedResults.Ok(view) : outcome.Problem();
}

/// <summary>Whose data a legal request is about (a person).</summary>
internal sealed record LegalSubjectBody(string? UserId = null);

/// <summary>A legal request as an officer records it.</summary>
internal sealed record LegalRequestBody(
    string Authority, string Reference, LegalSubjectBody Subject, ImmutableArray<DataCategory> Categories, DateTimeOffset? GagUntil = null, bool PlaceHold = false,
    LegalAuthorityKind AuthorityKind = LegalAuthorityKind.Other) : IRequestBody
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
