using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using PrimeDirective.Gateway.Auth;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Keys;
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
        return routes;
    }

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
internal sealed partial class RequestJson : JsonSerializerContext;
