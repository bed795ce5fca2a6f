using Microsoft.AspNetCore.Authorization;
using PrimeDirective.Gateway.Auth;
using PrimeDirective.Gateway.PrivacyCenter;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Gateway.Tracking;

/// <summary>
/// A signed-in person who uses the Privacy Center (its pages under <c>/privacy/</c>, signed in by the session cookie, or
/// the <c>/v1/me</c> API behind them, by bearer token) with Global Privacy Control on has their <c>analytics</c> consent
/// withdrawn, recorded as caused by the signal. The middleware applies it to both path families.
/// </summary>
internal static class GpcConsent
{
    /// <summary>Paths of the Privacy Center and its API.</summary>
    public static readonly string[] PrivacyCenterPaths = [PrivacyCenterComposition.PathPrefix, "/v1/me"];

    /// <summary>
    /// Withdraws the signed-in person's analytics consent if the request carries <c>Sec-GPC: 1</c>; returns whether the
    /// signal was on and a person was signed in (the consent is withdrawn, or already was).
    /// </summary>
    public static async Task<bool> ApplyAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!TrackingSignals.GlobalPrivacyControl(context.Request) || await SignedInPersonAsync(context) is not { } userId)
        {
            return false;
        }

        var services = context.RequestServices;
        var users = services.GetRequiredService<UserGrains>();
        await services.GetRequiredService<IGrainFactory>().GetGrain<IUserTracking>(users.UserKey(userId)).WithdrawAnalyticsForGpcAsync();
        return true;
    }

    /// <summary>Applies <see cref="ApplyAsync"/> to every Privacy Center request (after authentication).</summary>
    public static IApplicationBuilder UseGpcConsent(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (PrivacyCenterPaths.Any(path => context.Request.Path.StartsWithSegments(path, StringComparison.OrdinalIgnoreCase)))
        {
            await ApplyAsync(context);
        }

        await next(context);
    });

    /// <summary>The person of an active account behind the request: its bearer token, or on a page its session cookie.</summary>
    private static async Task<string?> SignedInPersonAsync(HttpContext context)
    {
        var services = context.RequestServices;
        if (context.User.UserId() is { } userId)
        {
            var person = await services.GetRequiredService<IAuthorizationService>().AuthorizeAsync(context.User, GatewayAuth.PersonPolicy);
            return person.Succeeded ? userId : null;
        }

        var path = context.Request.Path;
        if (!path.StartsWithSegments(PrivacyCenterComposition.PathPrefix, StringComparison.OrdinalIgnoreCase) ||
            path.StartsWithSegments(PrivacyCenterComposition.PathPrefix + "/assets", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        // Read once per request: the page then uses the same read.
        return (await services.GetRequiredService<PrivacySessions>().ReadAsync(context))?.UserId;
    }
}
