using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Auth;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Gateway.Requests;
using PrimeDirective.Grains.Interfaces.Requests;

namespace PrimeDirective.Gateway.ChildRemoval;

/// <summary>
/// Removal of a child's data: a parent asks (anonymously, rate-limited), a privacy officer reviews the request and
/// approves it (the child's data is erased and the parent told) or rejects it (the parent is told why).
/// </summary>
internal static class ChildRemovalEndpoints
{
    public const int MaxStatementLength = 4000;

    public const int MaxReasonLength = 1000;

    public static IEndpointRouteBuilder MapChildRemovalEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/child-removal-requests", SubmitAsync).AllowAnonymous().WithTags("Child removal")
            .RequireRateLimiting(SignUpEndpoints.RateLimitPolicy)
            .WithSummary("A parent asks us to remove a child's data; an officer reviews it.");
        var review = routes.MapGroup("/v1/admin/child-removal-requests").WithTags("Child removal").RequireAuthorization(GatewayAuth.OfficerPolicy);
        review.MapGet(string.Empty, ListAsync).WithSummary("Child-removal requests awaiting review, in every region.");
        review.MapPost("/{requestId}/decision", DecideAsync).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Approve (the child's data is erased and the parent told) or reject (the parent is told why).");
        return routes;
    }

    private static async Task<Accepted<ErasureAccepted>> SubmitAsync(ChildRemovalBody body, ChildRemovalDesk desk)
    {
        var accepted = await desk.SubmitAsync(body);
        return TypedResults.Accepted(accepted.ReceiptUrl, accepted);
    }

    private static async Task<Ok<ChildRemovalReview[]>> ListAsync(ChildRemovalDesk desk) => TypedResults.Ok(await desk.ReviewsAsync());

    private static async Task<Results<Ok<PrivacyRequestView>, ProblemHttpResult>> DecideAsync(HttpContext context, string requestId, ReviewDecisionBody body, ChildRemovalDesk desk) =>
        await desk.DecideAsync(requestId, body, context.User.UserId() ?? "external-officer") is var outcome && outcome is Outcome<PrivacyRequestView>.Done(var view)
            ? TypedResults.Ok(view)
            : outcome.Problem();
}

/// <summary>A parent's request to remove their child's data: the child's address, who they are, and why.</summary>
internal sealed record ChildRemovalBody(string ChildEmail, string ParentName, string ParentEmail, string Statement) : IRequestBody
{
    public IRequestBody Check(RequestCheck check) => this with
    {
        ChildEmail = check.Email("childEmail", ChildEmail),
        ParentName = check.Text("parentName", ParentName),
        ParentEmail = check.Email("parentEmail", ParentEmail),
        Statement = check.Text("statement", Statement, ChildRemovalEndpoints.MaxStatementLength),
    };
}

/// <summary>An officer's decision on a child-removal request; <c>reason</c> is told to the parent.</summary>
internal sealed record ReviewDecisionBody(bool Approve, string? Reason = null) : IRequestBody
{
    public IRequestBody Check(RequestCheck check) =>
        this with { Reason = Reason is null ? null : check.Text("reason", Reason, ChildRemovalEndpoints.MaxReasonLength) };
}

/// <summary>Child removal's JSON, source-generated.</summary>
[JsonSerializable(typeof(ChildRemovalBody))]
[JsonSerializable(typeof(ReviewDecisionBody))]
[JsonSerializable(typeof(ChildRemovalReview[]))]
internal sealed partial class ChildRemovalJson : JsonSerializerContext;
