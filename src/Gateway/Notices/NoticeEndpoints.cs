using System.Collections.Immutable;
using Microsoft.AspNetCore.Http.HttpResults;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Auth;
using PrimeDirective.Gateway.Governance;
using PrimeDirective.Grains.Interfaces.Governance;
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
            .WithSummary("Declares a breach (regions, categories, exposure window, description, advice); every affected person is notified once. Only proposed (202) until a second officer approves.");
        admin.MapGet("/breaches", BreachesAsync)
            .WithSummary("Every breach declared, oldest first, with its counts and its 72-hour clock (GDPR Art. 33): awareAt, deadline, authorityNotified, and overdue (deadline passed, authority not notified).");
        admin.MapGet("/breaches/{breachId}", BreachAsync)
            .WithSummary("A breach, its fan-out's counts (affected so far, notified, pending, failed with a reason) and its 72-hour clock.");
        admin.MapPut("/breaches/{breachId}/authority-notification", AuthorityNotificationAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Records (or corrects) that the supervisory authority was notified of a breach: authority, its reference, when (not in the future, not before awareAt).");
        admin.MapPost("/policy-versions", PublishAsync).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Publishes a policy version (immutable); a substantive one is announced to every account and unlinked cluster at once and takes effect no sooner than the minimum notice period (Notices:MinimumNoticePeriod, 30 days) after publication. A substantive version is only proposed (202) until a second officer approves.");
        admin.MapGet("/policy-versions/{version}/announcement", AnnouncementAsync)
            .WithSummary("The fan-out counts of a substantive version's announcement.");

        var policy = routes.MapGroup("/v1/policy").WithTags("Policy").AllowAnonymous();
        policy.MapGet(string.Empty, PolicyAsync).WithSummary("The privacy policy in effect, its effective date first, and every version's summary.");
        policy.MapGet("/{version}", VersionAsync).WithSummary("One version of the privacy policy.");
        return routes;
    }

    private static async Task<Results<Created<BreachView>, Accepted<ProposalView>, ProblemHttpResult>> DeclareAsync(
        BreachBody body, HttpContext context, NoticeDesk desk, GovernanceDesk governance)
    {
        var officerId = context.User.UserId() ?? "external-officer";
        if (governance.Governs(GovernedAction.Breach))
        {
            return await governance.ProposeAsync(body, officerId) is var proposed && proposed is Outcome<ProposalView>.Done(var proposal)
                ? GovernanceEndpoints.Accepted(proposal)
                : proposed.Problem();
        }

        var breach = await desk.DeclareBreachAsync(body, officerId);
        return TypedResults.Created($"/v1/admin/breaches/{breach.Id}", breach);
    }

    private static async Task<Ok<ImmutableArray<BreachView>>> BreachesAsync(NoticeDesk desk) => TypedResults.Ok(await desk.BreachesAsync());

    private static async Task<Results<Ok<BreachView>, ProblemHttpResult>> AuthorityNotificationAsync(
        string breachId, AuthorityNotificationBody body, HttpContext context, NoticeDesk desk) =>
        await desk.RecordAuthorityNotificationAsync(breachId, body, context.User.UserId() ?? "external-officer") switch
        {
            Outcome<BreachView>.Done(var breach) => TypedResults.Ok(breach),
            var refused => refused.Problem(),
        };

    private static async Task<Results<Ok<BreachView>, ProblemHttpResult>> BreachAsync(string breachId, UserGrains users, IGrainFactory grains) =>
        IsCampaignId(breachId) && await Campaign(grains, users, breachId).GetAsync() is { Campaign.Kind: NoticeKind.Breach } status
            ? TypedResults.Ok(BreachView.From(status))
            : Problems.NotFound("breach");

    private static async Task<Results<Created<PolicyDocument>, Ok<PolicyDocument>, Accepted<ProposalView>, ProblemHttpResult>> PublishAsync(
        PolicyVersionBody body, HttpContext context, NoticeDesk desk, GovernanceDesk governance) =>
        await governance.GovernsAsync(body)
            ? await governance.ProposeAsync(body, context.User.UserId() ?? "external-officer") is var proposed && proposed is Outcome<ProposalView>.Done(var proposal)
                ? GovernanceEndpoints.Accepted(proposal)
                : proposed.Problem()
            : await desk.PublishAsync(body) switch
        {
            Outcome<(PolicyDocument, bool)>.Done((var document, true)) => TypedResults.Created($"/v1/policy/{document.Version}", document),
            Outcome<(PolicyDocument, bool)>.Done((var document, false)) => TypedResults.Ok(document),
            var refused => refused.Problem(),
        };

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
