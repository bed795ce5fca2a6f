using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using PrimeDirective.Gateway.Auth;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Receipts;
using PrimeDirective.Grains.Interfaces.Requests;

namespace PrimeDirective.Gateway.Requests;

/// <summary>Privacy requests: their status and, when done, their receipts.</summary>
internal static class PrivacyRequestEndpoints
{
    public static IEndpointRouteBuilder MapPrivacyRequestEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/privacy-requests/{requestId}", GetAsync).AllowAnonymous().WithTags("Privacy requests")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A request's status and, when done, its receipt: for its capability URL, or for the person it is about.");
        routes.MapGet("/v1/privacy-requests/{requestId}/receipt.json", SignedAsync).AllowAnonymous().WithTags("Privacy requests")
            .Produces<Jws>(StatusCodes.Status200OK, SignedReceipts.MediaType)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("A completed request's receipt, signed (flattened JWS, alg EdDSA, kid of keys.json): a receipt.json anyone can verify offline with tools/Verify. 409 until it completes.");
        return routes;
    }

    private static async Task<Results<FileContentHttpResult, ChallengeHttpResult, ProblemHttpResult>> SignedAsync(
        HttpContext context, string requestId, string? capability, UserGrains users, SignedReceipts receipts) =>
        (await GetAsync(context, requestId, capability, users)).Result switch
        {
            Ok<PrivacyRequestView> { Value: { } view } => receipts.Sign(view) is { } signed
                ? TypedResults.File(signed, SignedReceipts.MediaType, SignedReceipts.FileName)
                : Problems.Create(StatusCodes.Status409Conflict, "conflict", "Not completed.", "The request has not completed: its receipt is not final yet."),
            ChallengeHttpResult challenge => challenge,
            var other => (ProblemHttpResult)other,
        };

    private static async Task<Results<Ok<PrivacyRequestView>, ChallengeHttpResult, ProblemHttpResult>> GetAsync(
        HttpContext context, string requestId, string? capability, UserGrains users)
    {
        // Neither a capability nor a valid token: 401 before any lookup, so it is the same for every id.
        if (capability is null && context.User.Identity?.IsAuthenticated != true)
        {
            return TypedResults.Challenge();
        }

        if (SubjectIds.Parse(requestId) is not { } parsed || !users.IsRegion(parsed.Region) || capability is { Length: > 64 })
        {
            return Problems.NotFound("privacy request");
        }

        var userId = context.User.UserId();
        var requester = userId is not null && SubjectIds.Parse(userId) is not null ? users.UserKey(userId) : null;
        return await users.Request(requestId).GetAsync(capability, requester) is { } view
            ? TypedResults.Ok(view)
            : Problems.NotFound("privacy request");
    }
}

/// <summary>The answer to an accepted privacy request: its id, status, and the capability URL of its receipt.</summary>
internal sealed record ErasureAccepted(string RequestId, PrivacyRequestStatus Status, string ReceiptUrl)
{
    public static ErasureAccepted From(PrivacyRequestView view, string capability) =>
        new(view.RequestId, view.Status, $"/v1/privacy-requests/{view.RequestId}?capability={capability}");
}

/// <summary>Privacy requests' JSON, source-generated.</summary>
[JsonSerializable(typeof(ErasureAccepted))]
[JsonSerializable(typeof(PrivacyRequestView))]
[JsonSerializable(typeof(ReceiptDocument))]
[JsonSerializable(typeof(LedgerHeadDocument))]
[JsonSerializable(typeof(LegalNoticeDocument))]
[JsonSerializable(typeof(Jws))]
internal sealed partial class RequestJson : JsonSerializerContext;
