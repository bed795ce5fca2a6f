using System.Globalization;
using System.Text.RegularExpressions;
using PrimeDirective.Gateway.Auth;
using PrimeDirective.Gateway.Clusters;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Gateway.People;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Users;

namespace PrimeDirective.Gateway.Admin;

/// <summary>
/// Legal holds (officers): placed on a person or a cluster with a reason, a reference and an optional end; while one
/// runs, expiry and erasure of that subject wait. Also each region's daily ledger of destruction.
/// </summary>
internal static partial class LegalHoldEndpoints
{
    public const int MaxTextLength = 1000;

    public static IEndpointRouteBuilder MapLegalHoldEndpoints(this IEndpointRouteBuilder routes)
    {
        var holds = routes.MapGroup("/v1/admin/legal-holds").WithTags("Privacy officers").RequireAuthorization(GatewayAuth.OfficerPolicy);
        holds.MapPut("/users/{userId}", (HttpContext context, string userId, PeopleGrains people, TimeProvider time) =>
            PlaceAsync(context, UserSubject(userId, people), time)).WithSummary("Places a legal hold on a person.");
        holds.MapDelete("/users/{userId}", (HttpContext context, string userId, PeopleGrains people) =>
            LiftAsync(context, UserSubject(userId, people))).WithSummary("Lifts a person's legal hold; expiry and erasure resume at once.");
        holds.MapGet("/users/{userId}", (HttpContext context, string userId, PeopleGrains people) =>
            GetAsync(context, UserSubject(userId, people))).WithSummary("A person's legal hold.");
        holds.MapPut("/clusters/{clusterId}", (HttpContext context, string clusterId, string? region, IGrainFactory grains, ClusterKeys keys, PeopleGrains people, TimeProvider time) =>
            PlaceAsync(context, ClusterSubject(clusterId, region, grains, keys, people), time)).WithSummary("Places a legal hold on a cluster (?region=, default the home region).");
        holds.MapDelete("/clusters/{clusterId}", (HttpContext context, string clusterId, string? region, IGrainFactory grains, ClusterKeys keys, PeopleGrains people) =>
            LiftAsync(context, ClusterSubject(clusterId, region, grains, keys, people))).WithSummary("Lifts a cluster's legal hold; expiry and erasure resume at once.");
        holds.MapGet("/clusters/{clusterId}", (HttpContext context, string clusterId, string? region, IGrainFactory grains, ClusterKeys keys, PeopleGrains people) =>
            GetAsync(context, ClusterSubject(clusterId, region, grains, keys, people))).WithSummary("A cluster's legal hold.");

        routes.MapGet("/v1/admin/destruction-ledger/{region}/{date}", LedgerAsync)
            .WithTags("Privacy officers").RequireAuthorization(GatewayAuth.OfficerPolicy)
            .WithSummary("How many items of each category were destroyed in a region on a day (yyyy-MM-dd), and why.");
        return routes;
    }

    /// <summary>ISO 8601 date and time with an offset (<c>Z</c> or <c>±hh:mm</c>).</summary>
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})\z", RegexOptions.CultureInvariant)]
    private static partial Regex IsoInstant();

    private static ILegalHoldSubject? UserSubject(string userId, PeopleGrains people) =>
        SubjectIds.Parse(userId) is { } parsed && people.IsRegion(parsed.Region) ? people.User(userId) : null;

    private static ILegalHoldSubject? ClusterSubject(string clusterId, string? region, IGrainFactory grains, ClusterKeys keys, PeopleGrains people)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var home = region ?? people.Home;
        return Identifiers.Uuid(clusterId, "clusterId", errors) is { } cluster && people.IsRegion(home)
            ? grains.GetGrain<IClusterGrain>(keys.For(home, cluster))
            : null;
    }

    private static async Task<IResult> PlaceAsync(HttpContext context, ILegalHoldSubject? subject, TimeProvider time)
    {
        if (subject is null)
        {
            return Problems.NotFound("subject");
        }

        var now = time.GetUtcNow();
        var (request, problem) = await JsonFields.ReadAsync(context.Request, ["reason", "reference", "endsAt"], fields =>
        {
            var endsAt = fields.String("endsAt", required: false);
            DateTimeOffset? end = null;
            if (endsAt is not null)
            {
                // Only an explicit offset names an instant: without one it would be read in the server's time zone.
                if (IsoInstant().IsMatch(endsAt) &&
                    DateTimeOffset.TryParse(endsAt, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed) && parsed > now)
                {
                    end = parsed;
                }
                else
                {
                    fields.Values["endsAt"] = ["must be a future date and time (ISO 8601, with offset)"];
                }
            }

            return new
            {
                Reason = fields.PersonName("reason", required: true, MaxTextLength),
                Reference = fields.PersonName("reference", required: true, MaxTextLength),
                EndsAt = end,
            };
        });
        if (request is null)
        {
            return problem!;
        }

        var hold = new LegalHold(request.Reason!, request.Reference!, now, request.EndsAt, context.User.UserId() ?? "external-officer");
        return await ClusterCalls.RunAsync(context, async () =>
            await subject.PlaceLegalHoldAsync(hold) ? TypedResults.Ok(hold) : Problems.NotFound("subject"));
    }

    private static async Task<IResult> LiftAsync(HttpContext context, ILegalHoldSubject? subject)
    {
        if (subject is null)
        {
            return Problems.NotFound("legal hold");
        }

        var officer = context.User.UserId() ?? "external-officer";
        return await ClusterCalls.RunAsync(context, async () =>
            await subject.LiftLegalHoldAsync(officer) ? TypedResults.NoContent() : Problems.NotFound("legal hold"));
    }

    private static async Task<IResult> GetAsync(HttpContext context, ILegalHoldSubject? subject)
    {
        if (subject is null)
        {
            return Problems.NotFound("legal hold");
        }

        return await ClusterCalls.RunAsync(context, async () =>
            await subject.GetLegalHoldAsync() is { } hold ? TypedResults.Ok(hold) : Problems.NotFound("legal hold"));
    }

    private static async Task<IResult> LedgerAsync(HttpContext context, string region, string date, PeopleGrains people, IGrainFactory grains)
    {
        if (!people.IsRegion(region) ||
            !DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return Problems.NotFound("ledger");
        }

        var at = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        return await ClusterCalls.RunAsync(context, async () =>
            TypedResults.Ok(await grains.GetGrain<IDestructionLedgerGrain>(DestructionLedgerGrain.KeyFor(region, at)).ReadAsync()));
    }
}
