using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using PrimeDirective.Gateway.Hosting;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Notices;

namespace PrimeDirective.Gateway.Auth;

/// <summary>
/// JWT bearer authentication. One of our tokens works only while its person's account is active and the token was not
/// signed out: after erasure (or while it runs) every token of that person answers 401, and a token whose Privacy Center
/// session was ended answers 401 on every route. Officers are configured user ids, or carry an external issuer's role
/// (whose tokens that issuer revokes).
/// </summary>
internal static class GatewayAuth
{
    public const string OfficerPolicy = "privacy-officer";

    /// <summary>Person-scoped routes: only our own tokens, of an active account (not an external issuer's).</summary>
    public const string PersonPolicy = "person";

    /// <summary>Added to our own tokens' principal once the account is checked active.</summary>
    private const string AccountClaim = "prime-directive:account";

    private const string UnavailableItem = "prime-directive:auth-unavailable";

    public static WebApplicationBuilder AddGatewayAuth(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.Services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.SectionName))
            .Validate(
                options => !string.IsNullOrWhiteSpace(options.SigningKey) || options.SigningKeys.Count > 0 || GatewayOrleans.IsSingleProcess(configuration),
                "Auth:SigningKey or Auth:SigningKeys:{version} (base64, 32+ bytes) is required unless the gateway is the whole service in one in-memory process: "
                + "with durable data or Orleans:Mode=client, every gateway replica must accept the others' tokens.")
            .ValidateOnStart();
        builder.Services.AddSingleton<TokenIssuer>();
        builder.Services.AddSingleton<SessionRevocations>();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>, TokenIssuer>((jwt, auth, issuer) => Configure(jwt, auth.Value, issuer));
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(OfficerPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(TokenIssuer.OfficerRole)
                .RequireClaim(TokenIssuer.MethodsClaim, TokenIssuer.SecondFactorMethod))
            .AddPolicy(PersonPolicy, policy => policy.RequireAuthenticatedUser().RequireClaim(AccountClaim, "active"));
        return builder;
    }

    /// <summary>The person's user id, from <c>sub</c>.</summary>
    public static string? UserId(this ClaimsPrincipal user) => user.FindFirst(JwtRegisteredClaimNames.Sub)?.Value;

    private static void Configure(JwtBearerOptions jwt, AuthOptions auth, TokenIssuer issuer)
    {
        jwt.MapInboundClaims = false;
        if (!string.IsNullOrWhiteSpace(auth.Authority))
        {
            jwt.Authority = auth.Authority;
            jwt.RequireHttpsMetadata = auth.RequireHttpsMetadata;
        }

        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuers = string.IsNullOrWhiteSpace(auth.Authority) ? [auth.Issuer] : [auth.Issuer, auth.Authority],
            ValidAudience = auth.Audience,
            ValidAlgorithms = string.IsNullOrWhiteSpace(auth.Authority) ? [SecurityAlgorithms.HmacSha256] : null,
            IssuerSigningKeys = issuer.VerificationKeys,
            NameClaimType = JwtRegisteredClaimNames.Sub,
            RoleClaimType = TokenIssuer.RoleClaim,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromSeconds(30),
        };
        jwt.Events = new JwtBearerEvents
        {
            OnTokenValidated = context => CheckAccountAsync(context, auth, issuer),
            OnChallenge = async context =>
            {
                context.HandleResponse();
                if (context.HttpContext.Items.ContainsKey(UnavailableItem))
                {
                    context.Response.Headers.RetryAfter = GatewayExceptionHandler.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    await Problems.Unavailable("Your account's region cannot be reached right now. Retry later.").ExecuteAsync(context.HttpContext);
                    return;
                }

                context.Response.Headers.WWWAuthenticate = "Bearer";
                await Problems.Create(
                    StatusCodes.Status401Unauthorized, "unauthorized", "A valid token is required.",
                    "Send a current bearer token of an active account; sign in for a new one.").ExecuteAsync(context.HttpContext);
            },
            OnForbidden = async context =>
                await (context.HttpContext.User.IsInRole(TokenIssuer.OfficerRole) && !TokenIssuer.HasSecondFactor(context.HttpContext.User)
                    ? SecondFactorRequired()
                    : Problems.Create(StatusCodes.Status403Forbidden, "forbidden", "Not allowed.", "This route is for privacy officers.")).ExecuteAsync(context.HttpContext),
        };
    }

    /// <summary>An officer's token without the second factor: what is missing, and where to give it.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult SecondFactorRequired() => Problems.Create(
        StatusCodes.Status403Forbidden, "second-factor-required", "A second factor is required.",
        "Officer routes need a token that carries the second factor: give an authenticator or recovery code at POST /v1/sessions/factor (enrol first at POST /v1/sessions/factor/enrolment).");

    /// <summary>Our own tokens: the account must exist and be active, and roles come from configuration, not the token.</summary>
    private static async Task CheckAccountAsync(TokenValidatedContext context, AuthOptions auth, TokenIssuer issuer)
    {
        var principal = context.Principal!;
        var tokenIssuer = principal.FindFirst(JwtRegisteredClaimNames.Iss)?.Value;
        if (tokenIssuer != auth.Issuer)
        {
            // An external issuer's token names its own people: never one of our accounts, whatever claims it carries.
            context.Principal = new ClaimsPrincipal(new ClaimsIdentity(
                principal.Claims.Where(claim => claim.Type != AccountClaim),
                JwtBearerDefaults.AuthenticationScheme, JwtRegisteredClaimNames.Sub, TokenIssuer.RoleClaim));
            return;
        }

        var userId = principal.UserId();
        if (userId is null || SubjectIds.Parse(userId) is not { } subject ||
            principal.FindFirst(JwtRegisteredClaimNames.Jti)?.Value is not { Length: > 0 and <= 64 } tokenId)
        {
            context.Fail("The token names no account or has no id.");
            return;
        }

        var services = context.HttpContext.RequestServices;
        var key = services.GetRequiredService<UserKeys>().ForUser(userId);
        try
        {
            // A token signed out (on a page, through any gateway) is refused on every route, as is every token of an
            // account being erased. The account's use also records acceptance of a policy version that took effect since.
            var ended = services.GetRequiredService<SessionRevocations>().IsEndedAsync(subject.Region, tokenId, new DateTimeOffset(context.SecurityToken.ValidTo, TimeSpan.Zero));
            var active = services.GetRequiredService<IGrainFactory>().GetGrain<IUserPolicyUse>(key).UseAsync();
            if (await ended || !await active)
            {
                context.Fail("The session was ended or the account no longer exists.");
                return;
            }
        }
        catch (Exception exception) when (GatewayExceptionHandler.IsTransient(exception))
        {
            context.HttpContext.Items[UnavailableItem] = true;
            context.Fail("The account's region is unavailable.");
            return;
        }

        var identity = new ClaimsIdentity(
            principal.Claims.Where(claim => claim.Type is not (TokenIssuer.RoleClaim or AccountClaim)).Append(new Claim(AccountClaim, "active")),
            JwtBearerDefaults.AuthenticationScheme, JwtRegisteredClaimNames.Sub, TokenIssuer.RoleClaim);
        var roles = issuer.RolesFor(userId);
        context.Principal = roles is null ? new ClaimsPrincipal(identity) : new ClaimsPrincipal([identity, roles]);
    }
}
