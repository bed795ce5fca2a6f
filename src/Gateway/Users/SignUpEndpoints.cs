using Microsoft.AspNetCore.Http.HttpResults;
using PrimeDirective.Gateway.Auth;
using PrimeDirective.Gateway.Http;

namespace PrimeDirective.Gateway.Users;

/// <summary>
/// Sign-up and sign-in without a password: a one-time code goes to the address, and verifying it mints a token.
/// Every answer is the same whether or not the address is known.
/// </summary>
internal static class SignUpEndpoints
{
    public const string RateLimitPolicy = "one-time-codes";

    public static IEndpointRouteBuilder MapSignUpEndpoints(this IEndpointRouteBuilder routes)
    {
        var users = routes.MapGroup("/v1").WithTags("Users").RequireRateLimiting(RateLimitPolicy);
        users.MapPost("/users", SignUpAsync).ProducesProblem(StatusCodes.Status403Forbidden)
            .WithSummary("Sign up: a one-time code goes to the address (202 whether or not it is known); under 13: 403, nothing kept.");
        users.MapPost("/sessions", SignInAsync)
            .WithSummary("Sign in: a one-time code goes to the address if it has an account; 202 always.");
        users.MapPost("/sessions/verify", VerifyAsync).ProducesProblem(StatusCodes.Status401Unauthorized)
            .WithSummary("Exchanges email and code for { userId, token }; a sign-up's account is created here.");
        return routes;
    }

    private static async Task<Results<Accepted<CodeRequested>, ProblemHttpResult>> SignUpAsync(SignUpBody body, AccountDesk desk) =>
        await desk.SignUpAsync(body) switch
        {
            // Refused before anything is looked up, stored, sent or logged.
            SignUpOutcome.UnderMinimumAge => Problems.Create(
                StatusCodes.Status403Forbidden, "under-13", "Too young to sign up.",
                "We do not want personal information of anyone under 13; nothing you sent was kept."),
            _ => CodeSent(),
        };

    private static async Task<Accepted<CodeRequested>> SignInAsync(SignInBody body, AccountDesk desk)
    {
        await desk.SignInAsync(body);
        return CodeSent();
    }

    private static async Task<Results<Ok<SessionToken>, ProblemHttpResult>> VerifyAsync(VerifyBody body, AccountDesk desk, TokenIssuer tokens) =>
        await desk.VerifyAsync(body) is { } userId
            ? TypedResults.Ok(new SessionToken(userId, tokens.Mint(userId)))
            : Problems.Create(
                StatusCodes.Status401Unauthorized, "invalid-code", "The code does not hold.",
                "The code is wrong, expired or already used. Ask for a new one.");

    private static Accepted<CodeRequested> CodeSent() =>
        TypedResults.Accepted((string?)null, new CodeRequested("If the address can receive our messages, a code is on its way."));
}
