using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using PrimeDirective.Gateway.Auth;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.PrivacyCenter;

namespace PrimeDirective.Gateway.PrivacyCenter;

/// <summary>A signed-in Privacy Center visitor: their user id, the token's id and expiry, whether they are an officer, and whether they gave a second factor.</summary>
internal sealed record PrivacySession(string UserId, string TokenId, DateTimeOffset ExpiresAt, bool IsOfficer, bool HasSecondFactor = false)
{
    public string Region => SubjectIds.Parse(UserId)!.Value.Region;
}

/// <summary>
/// Privacy Center sessions: the gateway's own token, in an <c>HttpOnly</c>, <c>Secure</c>, <c>SameSite=Strict</c> cookie
/// scoped to <c>/privacy</c> (nothing in script-readable storage). A session works only while its account is active and
/// it was not signed out: signing out or erasure ends it at once, on every gateway.
/// </summary>
internal sealed class PrivacySessions(TokenIssuer issuer, IOptions<AuthOptions> auth, UserGrains users, IGrainFactory grains, SessionRevocations revocations)
{
    public const string CookieName = "pd_session";

    private const string SessionItem = "prime-directive:privacy-session";

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    /// <summary>Signs <paramref name="userId"/> in: a fresh token in the session cookie (carrying the second factor when <paramref name="secondFactor"/>).</summary>
    public void Start(HttpContext context, string userId, bool secondFactor = false)
    {
        var token = issuer.Mint(userId, secondFactor);
        var expires = _handler.ReadJsonWebToken(token).ValidTo;
        context.Response.Cookies.Append(CookieName, token, Options(new DateTimeOffset(expires, TimeSpan.Zero)));
    }

    /// <summary>The visitor's session, or <c>null</c> when there is none that still holds. Read once per request.</summary>
    public async Task<PrivacySession?> ReadAsync(HttpContext context)
    {
        if (context.Items.TryGetValue(SessionItem, out var known))
        {
            return known as PrivacySession;
        }

        var session = await ValidateAsync(context.Request.Cookies[CookieName]);
        context.Items[SessionItem] = session;
        return session;
    }

    /// <summary>The session this request already read, for the layout (which renders after the page's handler).</summary>
    public static PrivacySession? Current(HttpContext context) =>
        context?.Items.TryGetValue(SessionItem, out var known) == true ? known as PrivacySession : null;

    /// <summary>Ends the session: its token stops working on every gateway, and the cookie is removed.</summary>
    public async Task EndAsync(HttpContext context, PrivacySession session)
    {
        await grains.GetGrain<IWebSessionGrain>(WebSessionKeys.For(session.Region, session.TokenId)).EndAsync(session.ExpiresAt);

        // The same token as a bearer is refused by this gateway from the next request, by the others within their check period.
        revocations.Ended(session.Region, session.TokenId, session.ExpiresAt);
        Forget(context);
    }

    /// <summary>Removes the cookie (the account behind it is gone or going).</summary>
    public static void Forget(HttpContext context)
    {
        context.Response.Cookies.Delete(CookieName, Options(null));
        context.Items[SessionItem] = null;
    }

    private async Task<PrivacySession?> ValidateAsync(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 4096)
        {
            return null;
        }

        var options = auth.Value;
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            // Only tokens this gateway minted: an external issuer's token never stands for one of our accounts.
            ValidIssuer = options.Issuer,
            ValidAudience = options.Audience,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            IssuerSigningKeys = issuer.VerificationKeys,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.FromSeconds(30),
        });
        if (!result.IsValid || result.ClaimsIdentity.FindFirst(JwtRegisteredClaimNames.Sub)?.Value is not { } userId ||
            result.ClaimsIdentity.FindFirst(JwtRegisteredClaimNames.Jti)?.Value is not { Length: > 0 and <= 64 } tokenId ||
            SubjectIds.Parse(userId) is not { } parsed || !users.IsRegion(parsed.Region))
        {
            return null;
        }

        var active = users.User(userId).IsActiveAsync();
        var ended = grains.GetGrain<IWebSessionGrain>(WebSessionKeys.For(parsed.Region, tokenId)).IsEndedAsync();
        if (!await active || await ended)
        {
            return null;
        }

        return new PrivacySession(
            userId, tokenId, new DateTimeOffset(result.SecurityToken.ValidTo, TimeSpan.Zero), issuer.IsOfficer(userId),
            result.ClaimsIdentity.HasClaim(TokenIssuer.MethodsClaim, TokenIssuer.SecondFactorMethod));
    }

    private static CookieOptions Options(DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = true,
        SameSite = SameSiteMode.Strict,
        Path = PrivacyCenterComposition.PathPrefix,
        Expires = expires,
        IsEssential = true,
    };
}
