using PrimeDirective.Gateway.Auth;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Gateway.People;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Requests;
using PrimeDirective.Grains.Users;

namespace PrimeDirective.Gateway.Requests;

/// <summary>Privacy requests: their status and receipts, and parents' requests to remove a child's data.</summary>
internal static class PrivacyRequestEndpoints
{
    public const int MaxStatementLength = 4000;

    public static IEndpointRouteBuilder MapPrivacyRequestEndpoints(this IEndpointRouteBuilder routes)
    {
        var requests = routes.MapGroup("/v1").WithTags("Privacy requests");
        requests.MapGet("/privacy-requests/{requestId}", GetAsync).AllowAnonymous()
            .WithSummary("A request's status and, when done, its receipt: for its capability URL, or for the person it is about.");
        requests.MapPost("/child-removal-requests", SubmitChildRemovalAsync).AllowAnonymous()
            .RequireRateLimiting(SignUpEndpoints.RateLimitPolicy)
            .WithSummary("A parent asks us to remove a child's data; an officer reviews it.");
        return routes;
    }

    private static async Task<IResult> GetAsync(HttpContext context, string requestId, string? capability, PeopleGrains people)
    {
        // Neither a capability nor a valid token: 401 before any lookup, so it is the same for every id.
        if (capability is null && context.User.Identity?.IsAuthenticated != true)
        {
            return Results.Challenge();
        }

        if (SubjectIds.Parse(requestId) is not { } parsed || !people.IsRegion(parsed.Region) || capability is { Length: > 64 })
        {
            return Problems.NotFound("privacy request");
        }

        var userId = context.User.UserId();
        var requester = userId is not null && SubjectIds.Parse(userId) is not null ? people.UserKey(userId) : null;
        return await ClusterCalls.RunAsync(context, async () =>
            await people.Request(requestId).GetAsync(capability, requester) is { } view
                ? TypedResults.Ok(view)
                : Problems.NotFound("privacy request"));
    }

    private static async Task<IResult> SubmitChildRemovalAsync(HttpContext context, PeopleGrains people)
    {
        var (request, problem) = await JsonFields.ReadAsync(context.Request, ["childEmail", "parentName", "parentEmail", "statement"], fields => new
        {
            ChildEmail = fields.Email("childEmail", required: true),
            ParentName = fields.PersonName("parentName", required: true),
            ParentEmail = fields.Email("parentEmail", required: true),
            Statement = fields.PersonName("statement", required: true, MaxStatementLength),
        });
        if (request is null)
        {
            return problem!;
        }

        return await ClusterCalls.RunAsync(context, async () =>
        {
            // The request lives where the child's data lives (or the home region if we hold none).
            var region = await people.ClaimedRegionAsync(request.ChildEmail!) ?? people.Home;
            var requestId = SubjectIds.New(region);
            var (secret, hash) = Capabilities.New();
            var view = await people.Request(requestId).SubmitChildRemovalAsync(new ChildRemovalSubmission(
                people.EmailIndexKey(region, request.ChildEmail!), request.ParentName!, request.ParentEmail!, request.Statement!, hash));
            var accepted = ErasureAccepted.From(view, secret);
            return TypedResults.Accepted(accepted.ReceiptUrl, accepted);
        });
    }
}
