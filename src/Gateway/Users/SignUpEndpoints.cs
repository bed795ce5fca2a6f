using Microsoft.AspNetCore.Http.HttpResults;
using PrimeDirective.Gateway.Application;
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
            .WithSummary("Exchanges email and code for { userId, token }; a sign-up's account is created here. An officer's token reaches officer routes only after POST /v1/sessions/factor.");
        var factor = routes.MapGroup("/v1/sessions/factor").WithTags("Users").RequireRateLimiting(RateLimitPolicy).RequireAuthorization(GatewayAuth.PersonPolicy)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);
        factor.MapPost("/enrolment", EnrolFactorAsync)
            .WithSummary("An officer enrols a TOTP authenticator: the secret, its otpauth URI and 10 recovery codes, shown once (409 once a code confirmed it).");
        factor.MapPost(string.Empty, GiveFactorAsync).ProducesProblem(StatusCodes.Status401Unauthorized)
            .WithSummary("An officer gives an authenticator code (not replayable) or a recovery code (works once) for a token that carries the second factor (amr mfa).");
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

    private static async Task<Results<Ok<FactorEnrolled>, ProblemHttpResult>> EnrolFactorAsync(HttpContext context, SecondFactorDesk desk) =>
        await desk.EnrolAsync(context.User.UserId()!) switch
        {
            Outcome<FactorEnrolled>.Done(var enrolled) => TypedResults.Ok(enrolled),
            var refused => FactorProblem(refused),
        };

    private static async Task<Results<Ok<SessionToken>, ProblemHttpResult>> GiveFactorAsync(HttpContext context, FactorBody body, SecondFactorDesk desk) =>
        await desk.VerifyAsync(context.User.UserId()!, body.Code) switch
        {
            Outcome<SessionToken>.Done(var session) => TypedResults.Ok(session),
            var refused => FactorProblem(refused),
        };

    /// <summary>A refused factor call: no officer (403), a wrong code (401, like a wrong emailed code), or the enrolment's state (409).</summary>
    private static ProblemHttpResult FactorProblem<T>(Outcome<T> outcome) => outcome switch
    {
        Outcome<T>.Unknown => Problems.Create(StatusCodes.Status403Forbidden, "forbidden", "Not allowed.", "Only privacy officers have a second factor."),
        Outcome<T>.Invalid invalid => Problems.Create(StatusCodes.Status401Unauthorized, "invalid-code", "The code does not hold.", invalid.Detail),
        _ => outcome.Problem(),
    };

    private static Accepted<CodeRequested> CodeSent() =>
        TypedResults.Accepted((string?)null, new CodeRequested("If the address can receive our messages, a code is on its way."));
}
