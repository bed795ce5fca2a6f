using PrimeDirective.Gateway.Auth;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Users;

namespace PrimeDirective.Gateway.People;

/// <summary>
/// Sign-up and sign-in without a password: a one-time code goes to the address, and verifying it mints a token.
/// Every answer is the same whether or not the address is known.
/// </summary>
internal static class SignUpEndpoints
{
    public const string RateLimitPolicy = "one-time-codes";

    public static IEndpointRouteBuilder MapSignUpEndpoints(this IEndpointRouteBuilder routes)
    {
        var people = routes.MapGroup("/v1").WithTags("People").RequireRateLimiting(RateLimitPolicy);
        people.MapPost("/users", SignUpAsync)
            .WithSummary("Sign up: a one-time code goes to the address (202 whether or not it is known); under 13: 403, nothing kept.");
        people.MapPost("/sessions", SignInAsync)
            .WithSummary("Sign in: a one-time code goes to the address if it has an account; 202 always.");
        people.MapPost("/sessions/verify", VerifyAsync)
            .WithSummary("Exchanges email and code for { userId, token }; a sign-up's account is created here.");
        return routes;
    }

    private static async Task<IResult> SignUpAsync(HttpContext context, PeopleGrains people, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var (request, problem) = await JsonFields.ReadAsync(context.Request, ["email", "name", "region", "birthDate"], fields => new
        {
            Email = fields.Email("email", required: true),
            Name = fields.PersonName("name", required: true),
            Region = fields.Region("region", required: true, people.IsRegion),
            BirthDate = fields.BirthDate("birthDate", required: true, now),
        });
        if (request is null)
        {
            return problem!;
        }

        if (Age.IsUnderMinimum(request.BirthDate!.Value, now))
        {
            // Before anything is looked up, stored, sent or logged.
            return Problems.Create(
                StatusCodes.Status403Forbidden, "under-13", "Too young to sign up.",
                "We do not want personal information of anyone under 13; nothing you sent was kept.");
        }

        return await ClusterCalls.RunAsync(context, async () =>
        {
            var details = new SignUpDetails(request.Email!, request.Name!, request.BirthDate.Value);
            var region = await people.ClaimedRegionAsync(details.Email) ?? request.Region!;
            await people.EmailIndex(region, details.Email).StartSignUpAsync(details);
            return CodeSent();
        });
    }

    private static async Task<IResult> SignInAsync(HttpContext context, PeopleGrains people)
    {
        var (request, problem) = await JsonFields.ReadAsync(context.Request, ["email"], fields => new { Email = fields.Email("email", required: true) });
        if (request is null)
        {
            return problem!;
        }

        return await ClusterCalls.RunAsync(context, async () =>
        {
            await Task.WhenAll(people.Regions.Select(region => people.EmailIndex(region, request.Email!).StartSignInAsync(request.Email!)));
            return CodeSent();
        });
    }

    private static async Task<IResult> VerifyAsync(HttpContext context, PeopleGrains people, TokenIssuer tokens)
    {
        var (request, problem) = await JsonFields.ReadAsync(context.Request, ["email", "code"], fields => new
        {
            Email = fields.Email("email", required: true),
            Code = fields.Code("code", required: true),
        });
        if (request is null)
        {
            return problem!;
        }

        return await ClusterCalls.RunAsync(context, async () =>
        {
            foreach (var region in people.Regions)
            {
                if (await people.EmailIndex(region, request.Email!).VerifyAsync(request.Code!) is { } userId)
                {
                    return TypedResults.Ok(new SessionToken(userId, tokens.Mint(userId)));
                }
            }

            return Problems.Create(
                StatusCodes.Status401Unauthorized, "invalid-code", "The code does not hold.",
                "The code is wrong, expired or already used. Ask for a new one.");
        });
    }

    private static Microsoft.AspNetCore.Http.HttpResults.Accepted<CodeRequested> CodeSent() => TypedResults.Accepted((string?)null, new CodeRequested("If the address can receive our messages, a code is on its way."));
}

/// <summary>The answer to a code request; the same whether or not the address is known.</summary>
internal sealed record CodeRequested(string Message);

/// <summary>A verified session.</summary>
internal sealed record SessionToken(string UserId, string Token);
