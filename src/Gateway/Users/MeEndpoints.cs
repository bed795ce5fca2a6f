using System.Collections.Immutable;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Auth;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Gateway.Requests;
using PrimeDirective.Gateway.Sharing;
using PrimeDirective.Gateway.Transparency;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Receipts;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Transparency;
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
        me.MapPost("/step-up", StepUpAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Sends a step-up code for an irreversible action (erase-account) to my address: once, for that action, for 10 minutes.");
        me.MapDelete(string.Empty, EraseAsync).ProducesProblem(StatusCodes.Status403Forbidden)
            .WithSummary("Erases me, with a step-up code in X-Step-Up-Code (403 without one): 202 with the request id and the receipt's capability URL.");
        me.MapGet("/notifications", NotificationsAsync).WithSummary("Notices sent to me.");
        me.MapGet("/notifications/{noticeId}/notice.json", SignedLegalNoticeAsync)
            .Produces<Jws>(StatusCodes.Status200OK, SignedReceipts.MediaType)
            .WithSummary("A notice I got about a legal request for my data, signed (flattened JWS, alg EdDSA, kid of keys.json), verifiable offline with tools/Verify. 404 for any other notice, or one not sent yet because a gag runs.");
        me.MapGet("/disclosures", DisclosuresAsync).WithSummary("Who received my data, and why.");
        me.MapGet("/disclosures/head.json", SignedLedgerHeadAsync)
            .Produces<Jws>(StatusCodes.Status200OK, SignedReceipts.MediaType).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("My disclosure ledger's head, signed (flattened JWS, alg EdDSA, kid of keys.json): how many entries it holds and the hash they end in, verifiable offline with tools/Verify. 409 if the ledger does not verify against the region's evidence.");
        return routes;
    }

    private static async Task<Results<Ok<PersonalDataExport>, ProblemHttpResult>> GetAsync(
        HttpContext context, UserGrains users, IGrainFactory grains, ClusterKeys clusterKeys, TransparencyDesk transparency, string? download)
    {
        var userId = context.User.UserId()!;
        if (await users.User(userId).GetAsync() is not { } record)
        {
            return Problems.NotFound("account");
        }

        var userKey = users.UserKey(userId);
        var clusters = await LinkedClusterData.ReadAllAsync(grains, clusterKeys, record, userKey);
        if (download is "1" or "true")
        {
            context.Response.Headers.ContentDisposition = "attachment; filename=\"prime-directive-my-data.json\"";

            // A copy asked for is an access request in the transparency report; reading one's data in passing is not.
            await transparency.CountAnsweredAsync(userId, SubjectRequestKinds.Access);
        }

        return TypedResults.Ok(new PersonalDataExport(record, clusters, await MailRoute.ForAsync(grains, users)));
    }

    private static async Task<Results<Ok<CorrectedProfile>, Accepted<ErasureAccepted>, ProblemHttpResult>> CorrectAsync(
        HttpContext context, CorrectionBody body, MeDesk desk) =>
        await desk.CorrectAsync(context.User.UserId()!, body) switch
        {
            Outcome<Corrected>.Done({ Erasure: { } accepted }) => TypedResults.Accepted(accepted.ReceiptUrl, accepted),
            Outcome<Corrected>.Done(var corrected) => TypedResults.Ok(new CorrectedProfile(corrected.Profile!, corrected.EmailChange)),
            var refused => refused.Problem(),
        };

    private static async Task<Results<Ok<ConsentState>, ProblemHttpResult>> SetConsentAsync(HttpContext context, string purpose, ConsentBody body, MeDesk desk) =>
        await desk.SetConsentAsync(context.User.UserId()!, purpose, body.Granted) is var outcome && outcome is Outcome<ConsentState>.Done(var consent)
            ? TypedResults.Ok(consent)
            : outcome.Problem();

    private static async Task<Results<Ok<LinkedCluster>, ProblemHttpResult>> LinkClusterAsync(HttpContext context, ClusterLinkBody body, MeDesk desk) =>
        await desk.LinkClusterAsync(context.User.UserId()!, body) is var outcome && outcome is Outcome<LinkedCluster>.Done(var link) ? TypedResults.Ok(link) : outcome.Problem();

    private static async Task<Results<Accepted<StepUpSent>, ProblemHttpResult>> StepUpAsync(HttpContext context, StepUpBody body, MeDesk desk) =>
        await desk.RequestStepUpAsync(context.User.UserId()!, body.Action) is var outcome && outcome is Outcome<StepUpSent>.Done(var sent)
            ? TypedResults.Accepted((string?)null, sent)
            : outcome.Problem();

    private static async Task<Results<Accepted<ErasureAccepted>, ProblemHttpResult>> EraseAsync(
        HttpContext context, [FromHeader(Name = MeDesk.StepUpHeader)] string? stepUpCode, MeDesk desk) =>
        await desk.EraseWithStepUpAsync(context.User.UserId()!, stepUpCode) is var outcome && outcome is Outcome<ErasureAccepted>.Done(var accepted)
            ? TypedResults.Accepted(accepted.ReceiptUrl, accepted)
            : outcome.Problem();

    private static Task<Results<Ok<ImmutableArray<Notification>>, ProblemHttpResult>> NotificationsAsync(HttpContext context, UserGrains users) =>
        ListAsync(context, users, record => record.Notifications);

    private static async Task<Results<Ok<ImmutableArray<DisclosureEntry>>, ProblemHttpResult>> DisclosuresAsync(HttpContext context, OfficerSubjects subjects) =>
        await SharingDesk.DisclosuresAsync(subjects.User(context.User.UserId())) is { } entries ? TypedResults.Ok(entries) : Problems.NotFound("account");

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> SignedLedgerHeadAsync(
        HttpContext context, OfficerSubjects subjects, SignedReceipts signer)
    {
        var userId = context.User.UserId()!;
        return await signer.LedgerHeadAsync(subjects.User(userId), userId) is var outcome && outcome is Outcome<byte[]>.Done(var signed)
            ? TypedResults.File(signed, SignedReceipts.MediaType, SignedReceipts.LedgerHeadFileName)
            : outcome.Problem();
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> SignedLegalNoticeAsync(
        HttpContext context, string noticeId, UserGrains users, SignedReceipts signer)
    {
        var userId = context.User.UserId()!;
        return await signer.LegalNoticeAsync(users.User(userId), userId, noticeId) is var outcome && outcome is Outcome<byte[]>.Done(var signed)
            ? TypedResults.File(signed, SignedReceipts.MediaType, SignedReceipts.LegalNoticeFileName)
            : outcome.Problem();
    }

    private static async Task<Results<Ok<ImmutableArray<Notification>>, ProblemHttpResult>> ListAsync(
        HttpContext context, UserGrains users, Func<UserRecord, ImmutableArray<Notification>> select) =>
        await users.User(context.User.UserId()!).GetAsync() is { } record ? TypedResults.Ok(select(record)) : Problems.NotFound("account");
}
