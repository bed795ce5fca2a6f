using System.Collections.Immutable;
using Microsoft.AspNetCore.Http.HttpResults;
using PrimeDirective.Gateway.Auth;
using PrimeDirective.Gateway.Clusters;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Gateway.Requests;
using PrimeDirective.Gateway.Sharing;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Gateway.Users;

/// <summary>A person's rights over their own data: access and portability, correction, consent, linking clusters, erasure.</summary>
internal static class MeEndpoints
{
    public static IEndpointRouteBuilder MapMeEndpoints(this IEndpointRouteBuilder routes)
    {
        var me = routes.MapGroup("/v1/me").WithTags("Users").RequireAuthorization(GatewayAuth.PersonPolicy)
            .ProducesProblem(StatusCodes.Status404NotFound);
        me.MapGet(string.Empty, GetAsync)
            .WithSummary("Everything held about me, including linked clusters' data and each item's expiry; ?download=1 as a file.");
        me.MapPatch(string.Empty, CorrectAsync)
            .WithSummary("Corrects name or birth date; an email change sends a code to the new address and completes with it.");
        me.MapPut("/consents/{purpose}", SetConsentAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Grants or withdraws consent for a purpose.");
        me.MapPost("/clusters", LinkClusterAsync).WithSummary("Links a cluster I run (proof: clusterId and bootstrapId).");
        me.MapDelete(string.Empty, EraseAsync).WithSummary("Erases me: 202 with the request id and the receipt's capability URL.");
        me.MapGet("/notifications", NotificationsAsync).WithSummary("Notices sent to me.");
        me.MapGet("/disclosures", DisclosuresAsync).WithSummary("Who received my data, and why.");
        return routes;
    }

    private static async Task<Results<Ok<PersonalDataExport>, ProblemHttpResult>> GetAsync(
        HttpContext context, UserGrains users, IGrainFactory grains, ClusterKeys clusterKeys, string? download)
    {
        var userId = context.User.UserId()!;
        if (await users.User(userId).GetAsync() is not { } record)
        {
            return Problems.NotFound("account");
        }

        var userKey = users.UserKey(userId);
        var clusters = await Task.WhenAll(record.Clusters.Select(async link =>
        {
            var cluster = grains.GetGrain<IClusterGrain>(clusterKeys.For(link.Region, link.ClusterId));
            var data = await cluster.GetForLinkAsync(userKey) is { } held
                ? await ClusterView.StreamAsync(held, after => cluster.ReadReportsForLinkAsync(userKey, after))
                : null;
            return new LinkedClusterData(link.ClusterId, link.Region, link.LinkedAt, data);
        }));
        if (download is "1" or "true")
        {
            context.Response.Headers.ContentDisposition = "attachment; filename=\"prime-directive-my-data.json\"";
        }

        return TypedResults.Ok(new PersonalDataExport(record, [.. clusters], await MailRoute.ForAsync(grains, users)));
    }

    private static async Task<Results<Ok<CorrectedProfile>, Accepted<ErasureAccepted>, ProblemHttpResult>> CorrectAsync(
        HttpContext context, CorrectionBody body, UserGrains users)
    {
        var userId = context.User.UserId()!;
        var user = users.User(userId);
        var emailChange = "unchanged";
        if (body.Email is { } email && body.EmailCode is { } code)
        {
            // Checked first: a wrong code changes nothing at all.
            if (await user.ConfirmEmailChangeAsync(email, code) == EmailChangeOutcome.InvalidCode)
            {
                return Problems.Invalid(new Dictionary<string, string[]> { ["emailCode"] = ["is wrong, expired or used up; ask for a new one by sending the email alone"] });
            }

            emailChange = "changed";
        }

        CorrectionResult? result = null;
        if (body.Name is not null || body.BirthDate is not null)
        {
            result = await user.CorrectAsync(new ProfileCorrection(body.Name, body.BirthDate is null ? null : RequestCheck.ParseDate(body.BirthDate)));
        }

        if (body.Email is { } newEmail && body.EmailCode is null)
        {
            await user.StartEmailChangeAsync(newEmail);
            emailChange = "code-sent";
        }

        if (result is { UnderThirteen: true })
        {
            // Policy: we do not keep the data of anyone under 13. The account's erasure starts now.
            var accepted = await users.EraseAsync(userId, "under-13");
            return TypedResults.Accepted(accepted.ReceiptUrl, accepted);
        }

        var profile = result?.Profile ?? (await user.GetAsync())?.Profile;
        return profile is null ? Problems.NotFound("account") : TypedResults.Ok(new CorrectedProfile(profile, emailChange));
    }

    private static async Task<Results<Ok<ConsentState>, ProblemHttpResult>> SetConsentAsync(
        HttpContext context, string purpose, ConsentBody body, UserGrains users)
    {
        if (WireNames.TryParse<DataPurpose>(purpose) is not { } parsed)
        {
            return Problems.NotFound("purpose");
        }

        if (parsed == DataPurpose.ServiceProvision)
        {
            return Problems.Invalid(new Dictionary<string, string[]> { ["purpose"] = ["service-provision is the account itself; erase the account to end it"] });
        }

        return await users.User(context.User.UserId()!).SetConsentAsync(parsed, body.Granted) is { } consent
            ? TypedResults.Ok(consent)
            : Problems.NotFound("account");
    }

    private static async Task<Results<Ok<LinkedCluster>, ProblemHttpResult>> LinkClusterAsync(HttpContext context, ClusterLinkBody body, UserGrains users)
    {
        var user = users.User(context.User.UserId()!);
        foreach (var region in body.Region is { } named ? [named] : users.Regions)
        {
            if (await user.LinkClusterAsync(body.ClusterId, region, body.BootstrapId) is { } link)
            {
                return TypedResults.Ok(link);
            }
        }

        return Problems.NotFound("cluster");
    }

    private static async Task<Accepted<ErasureAccepted>> EraseAsync(HttpContext context, UserGrains users)
    {
        var accepted = await users.EraseAsync(context.User.UserId()!, "person-request");
        return TypedResults.Accepted(accepted.ReceiptUrl, accepted);
    }

    private static Task<Results<Ok<ImmutableArray<Notification>>, ProblemHttpResult>> NotificationsAsync(HttpContext context, UserGrains users) =>
        ListAsync(context, users, record => record.Notifications);

    private static async Task<Results<Ok<ImmutableArray<DisclosureEntry>>, ProblemHttpResult>> DisclosuresAsync(HttpContext context, UserGrains users) =>
        await SharingEndpoints.UserSubject(context.User.UserId()!, users)!.GetDisclosuresAsync() is { } entries ? TypedResults.Ok(entries) : Problems.NotFound("account");

    private static async Task<Results<Ok<ImmutableArray<Notification>>, ProblemHttpResult>> ListAsync(
        HttpContext context, UserGrains users, Func<UserRecord, ImmutableArray<Notification>> select) =>
        await users.User(context.User.UserId()!).GetAsync() is { } record ? TypedResults.Ok(select(record)) : Problems.NotFound("account");
}
