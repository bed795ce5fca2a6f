using PrimeDirective.Gateway.Auth;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Gateway.People;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Users;

namespace PrimeDirective.Gateway.Admin;

/// <summary>Privacy officers' routes (role <c>privacy-officer</c>).</summary>
internal static class AdminEndpoints
{
    public const int MaxReasonLength = 1000;

    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/v1/admin").WithTags("Privacy officers").RequireAuthorization(GatewayAuth.OfficerPolicy);
        admin.MapGet("/child-removal-requests", ListChildRemovalsAsync).WithSummary("Child-removal requests awaiting review, in every region.");
        admin.MapPost("/child-removal-requests/{requestId}/decision", DecideAsync)
            .WithSummary("Approve (the child's data is erased and the parent told) or reject (the parent is told why).");
        return routes;
    }

    private static async Task<IResult> ListChildRemovalsAsync(HttpContext context, PeopleGrains people) =>
        await ClusterCalls.RunAsync(context, async () =>
        {
            var pending = new List<ChildRemovalReview>();
            foreach (var region in people.Regions)
            {
                foreach (var requestId in await people.Reviews(region).ListAsync())
                {
                    if (await people.Request(requestId).ReviewAsync() is { } review)
                    {
                        pending.Add(review);
                    }
                }
            }

            return TypedResults.Ok(pending);
        });

    private static async Task<IResult> DecideAsync(HttpContext context, string requestId, PeopleGrains people)
    {
        if (SubjectIds.Parse(requestId) is not { } parsed || !people.IsRegion(parsed.Region))
        {
            return Problems.NotFound("privacy request");
        }

        var (request, problem) = await JsonFields.ReadAsync(context.Request, ["approve", "reason"], fields => new
        {
            Approve = fields.Bool("approve", required: true),
            Reason = fields.PersonName("reason", required: false, MaxReasonLength),
        });
        if (request is null)
        {
            return problem!;
        }

        var officer = context.User.UserId() ?? "external-officer";
        return await ClusterCalls.RunAsync(context, async () =>
            await people.Request(requestId).DecideAsync(request.Approve!.Value, officer, request.Reason) is { } view
                ? TypedResults.Ok(view)
                : Problems.NotFound("child-removal request awaiting review"));
    }
}
