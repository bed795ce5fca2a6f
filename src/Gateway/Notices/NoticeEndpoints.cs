using Microsoft.AspNetCore.Http.HttpResults;
using PrimeDirective.Gateway.Auth;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Notices;

namespace PrimeDirective.Gateway.Notices;

/// <summary>
/// Notices: officers declare breaches (every affected person told once) and publish policy versions (a substantive
/// one announced to every account, at least the minimum notice period ahead); anyone reads the policy in effect, its
/// effective date first, and its history.
/// </summary>
internal static class NoticeEndpoints
{
    public static IEndpointRouteBuilder MapNoticeEndpoints(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/v1/admin").WithTags("Notices").RequireAuthorization(GatewayAuth.OfficerPolicy)
            .ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPost("/breaches", DeclareAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Declares a breach (regions, categories, exposure window, description, advice); every affected person is notified once.");
        admin.MapGet("/breaches/{breachId}", BreachAsync)
            .WithSummary("A breach and its fan-out's counts: affected so far, notified, pending, failed with a reason.");
        admin.MapPost("/policy-versions", PublishAsync).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Publishes a policy version (immutable); a substantive one is announced to every account and unlinked cluster at once and takes effect no sooner than the minimum notice period (Notices:MinimumNoticePeriod, 30 days) after publication.");
        admin.MapGet("/policy-versions/{version}/announcement", AnnouncementAsync)
            .WithSummary("The fan-out counts of a substantive version's announcement.");

        var policy = routes.MapGroup("/v1/policy").WithTags("Policy").AllowAnonymous();
        policy.MapGet(string.Empty, PolicyAsync).WithSummary("The privacy policy in effect, its effective date first, and every version's summary.");
        policy.MapGet("/{version}", VersionAsync).WithSummary("One version of the privacy policy.");
        return routes;
    }

    private static async Task<Created<BreachView>> DeclareAsync(BreachBody body, HttpContext context, UserGrains users, IGrainFactory grains)
    {
        var id = Guid.NewGuid().ToString("N");
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var campaign = BreachCampaign(id, body, now);
        var grain = Campaign(grains, users, id);
        await grain.StartAsync(campaign, context.User.UserId() ?? "external-officer");
        return TypedResults.Created($"/v1/admin/breaches/{id}", BreachView.From((await grain.GetAsync())!));
    }

    /// <summary>The campaign of a checked breach declaration (the route and the officer's page both declare through it).</summary>
    public static NoticeCampaign BreachCampaign(string id, BreachBody body, DateTimeOffset now) =>
        new(
            id, NoticeKind.Breach, [.. body.Regions], [.. body.CategoriesChecked!.Value], body.From, body.Until,
            "Security breach notice",
            $"""
            We learned of a security breach that may have exposed data we held about you ({string.Join(", ", body.CategoryNames)}), between {body.From:yyyy-MM-dd HH:mm} and {body.Until:yyyy-MM-dd HH:mm} UTC.

            What happened: {body.Description}

            What you should do: {body.Advice}
            """,
            now, body.Description, body.Advice);

    private static async Task<Results<Ok<BreachView>, ProblemHttpResult>> BreachAsync(string breachId, UserGrains users, IGrainFactory grains) =>
        IsCampaignId(breachId) && await Campaign(grains, users, breachId).GetAsync() is { Campaign.Kind: NoticeKind.Breach } status
            ? TypedResults.Ok(BreachView.From(status))
            : Problems.NotFound("breach");

    private static async Task<Results<Created<PolicyDocument>, Ok<PolicyDocument>, ProblemHttpResult>> PublishAsync(
        PolicyVersionBody body, HttpContext context, UserGrains users, IGrainFactory grains)
    {
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var version = new PolicyVersion(body.Version, body.Effective!.Value, body.Substantive, body.Summary, body.Text, now);
        var registry = Registry(grains, users);
        return await registry.PublishAsync(version) switch
        {
            PublishOutcome.Published => TypedResults.Created($"/v1/policy/{version.Version}", PolicyDocument.From((await registry.GetVersionAsync(version.Version))!)),
            PublishOutcome.AlreadyPublished => TypedResults.Ok(PolicyDocument.From((await registry.GetVersionAsync(version.Version))!)),
            PublishOutcome.Conflict => Problems.Create(StatusCodes.Status409Conflict, "conflict", "The version exists.", "Published versions are immutable: publish a new version to correct one."),
            var refused => Problems.Invalid(new Dictionary<string, string[]> { ["effectiveAt"] = [await EffectRefusalAsync(registry, refused, version)] }),
        };
    }

    /// <summary>Why <paramref name="version"/>'s effective date was refused (the route's 422 and the officer's page say the same).</summary>
    public static async Task<string> EffectRefusalAsync(IPolicyRegistryGrain registry, PublishOutcome outcome, PolicyVersion version)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(version);
        if (outcome != PublishOutcome.TooSoon)
        {
            return "must be later than every version already published";
        }

        var period = await registry.MinimumNoticePeriodAsync();
        var earliest = version.PublishedAt + period;
        return $"a substantive version takes effect at least {period.TotalDays:0.##} days after it is published, so everyone is told first: "
            + $"{earliest.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} or later";
    }

    private static async Task<Results<Ok<NoticeProgress>, ProblemHttpResult>> AnnouncementAsync(string version, UserGrains users, IGrainFactory grains) =>
        PolicyVersionBody.IsVersionName(version) && await Campaign(grains, users, NoticeKeys.PolicyChange(version)).GetAsync() is { } status
            ? TypedResults.Ok(status.Progress)
            : Problems.NotFound("announcement");

    private static async Task<Ok<PolicyPage>> PolicyAsync(UserGrains users, IGrainFactory grains) =>
        TypedResults.Ok(PolicyPage.From(await Registry(grains, users).GetAsync()));

    private static async Task<Results<Ok<PolicyDocument>, ProblemHttpResult>> VersionAsync(string version, UserGrains users, IGrainFactory grains) =>
        PolicyVersionBody.IsVersionName(version) && await Registry(grains, users).GetVersionAsync(version) is { } found
            ? TypedResults.Ok(PolicyDocument.From(found))
            : Problems.NotFound("policy version");

    public static IPolicyRegistryGrain Registry(IGrainFactory grains, UserGrains users) =>
        grains.GetGrain<IPolicyRegistryGrain>(PolicyKeys.Registry(users.Home));

    public static INoticeCampaignGrain Campaign(IGrainFactory grains, UserGrains users, string id) =>
        grains.GetGrain<INoticeCampaignGrain>(NoticeKeys.Campaign(users.Home, id));

    public static bool IsCampaignId(string id) => id.Length == 32 && id.All(char.IsAsciiHexDigitLower);
}
