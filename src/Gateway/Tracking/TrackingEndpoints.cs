using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using PrimeDirective.Gateway.Auth;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Gateway.Tracking;

/// <summary>
/// Do Not Track and Global Privacy Control: site analytics that store nothing when either is on, and the two
/// well-known resources that say so.
/// </summary>
internal static class TrackingEndpoints
{
    /// <summary>The media type of the tracking status resource (W3C Tracking Preference Expression).</summary>
    public const string TrackingStatusMediaType = "application/tracking-status+json";

    /// <summary>When this service's GPC support last changed (the date it was introduced).</summary>
    public const string GpcLastUpdate = "2026-11-30";

    public static IEndpointRouteBuilder MapTrackingEndpoints(this IEndpointRouteBuilder routes)
    {
        var tracking = routes.MapGroup(string.Empty).WithTags("Tracking").AllowAnonymous();
        tracking.MapPost("/v1/analytics/events", RecordAsync).RequireRateLimiting(CollectionRateLimits.AnalyticsEventsPolicy)
            .WithSummary("A site analytics event: with DNT: 1 or Sec-GPC: 1 nothing is stored (204, Tk: N); otherwise stored without identifiers for 30 days (202, Tk: T).");
        tracking.MapGet("/.well-known/gpc.json", (HttpContext context) =>
            {
                context.Response.Headers.CacheControl = "public, max-age=86400";
                return TypedResults.Ok(new GpcSupport(true, GpcLastUpdate));
            })
            .WithSummary("Global Privacy Control support resource.");
        tracking.MapGet("/.well-known/dnt/", TrackingStatusResource)
            .WithSummary("Tracking status resource: N for a request with DNT: 1 or Sec-GPC: 1, else T.")
            .Produces<TrackingStatus>(StatusCodes.Status200OK, TrackingStatusMediaType);
        return routes;
    }

    private static async Task<Results<Accepted, NoContent>> RecordAsync(
        HttpContext context, AnalyticsEventBody body, UserGrains users, AnalyticsDesk desk, TrackingMetrics metrics)
    {
        if (TrackingSignals.OptedOut(context.Request) || !await MayTrackAsync(context, users))
        {
            // Counted only when a signal was what refused it (not a signed-in person's missing consent).
            metrics.Honoured(context.Request);
            context.Response.Headers[TrackingSignals.TrackingStatusHeader] = "N";
            return TypedResults.NoContent();
        }

        await desk.RecordAsync(body.ToEvent());
        context.Response.Headers[TrackingSignals.TrackingStatusHeader] = "T";
        return TypedResults.Accepted((string?)null);
    }

    /// <summary>Anonymous visitors may be counted; a signed-in person only with their <c>analytics</c> consent.</summary>
    private static async Task<bool> MayTrackAsync(HttpContext context, UserGrains users)
    {
        if (context.User.UserId() is not { } userId)
        {
            return true;
        }

        var person = await context.RequestServices.GetRequiredService<IAuthorizationService>().AuthorizeAsync(context.User, GatewayAuth.PersonPolicy);
        return person.Succeeded && await users.User(userId).GetAsync() is { } record &&
            record.Consents.Any(consent => consent.Purpose == DataPurpose.Analytics && consent.Granted);
    }

    private static ContentHttpResult TrackingStatusResource(HttpContext context)
    {
        var status = TrackingSignals.Status(context.Request);
        context.Response.Headers[TrackingSignals.TrackingStatusHeader] = status;
        context.Response.Headers.Vary = "DNT, Sec-GPC";
        context.Response.Headers.CacheControl = "private, no-store";
        return TypedResults.Text(JsonSerializer.Serialize(new TrackingStatus(status), TrackingJson.Default.TrackingStatus), TrackingStatusMediaType);
    }
}
