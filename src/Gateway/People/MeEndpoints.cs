using System.Collections.Immutable;
using System.Text.Json;
using PrimeDirective.Gateway.Auth;
using PrimeDirective.Gateway.Clusters;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Gateway.People;

/// <summary>A person's rights over their own data: access and portability, correction, consent, linking clusters, erasure.</summary>
internal static class MeEndpoints
{
    public static IEndpointRouteBuilder MapMeEndpoints(this IEndpointRouteBuilder routes)
    {
        var me = routes.MapGroup("/v1/me").WithTags("People").RequireAuthorization(GatewayAuth.PersonPolicy);
        me.MapGet(string.Empty, GetAsync)
            .WithSummary("Everything held about me, including linked clusters' data and each item's expiry; ?download=1 as a file.");
        me.MapPatch(string.Empty, CorrectAsync)
            .WithSummary("Corrects name or birth date; an email change sends a code to the new address and completes with it.");
        me.MapPut("/consents/{purpose}", SetConsentAsync).WithSummary("Grants or withdraws consent for a purpose.");
        me.MapPost("/clusters", LinkClusterAsync).WithSummary("Links a cluster I run (proof: clusterId and bootstrapId).");
        me.MapDelete(string.Empty, EraseAsync).WithSummary("Erases me: 202 with the request id and the receipt's capability URL.");
        me.MapGet("/notifications", NotificationsAsync).WithSummary("Notices sent to me.");
        me.MapGet("/disclosures", DisclosuresAsync).WithSummary("Who received my data, and why.");
        return routes;
    }

    private static async Task<IResult> GetAsync(HttpContext context, PeopleGrains people, IGrainFactory grains, ClusterKeys clusterKeys, string? download)
    {
        var userId = context.User.UserId()!;
        return await ClusterCalls.RunAsync(context, async () =>
        {
            if (await people.User(userId).GetAsync() is not { } record)
            {
                return Problems.NotFound("account");
            }

            var userKey = people.UserKey(userId);
            var clusters = await Task.WhenAll(record.Clusters.Select(async link =>
            {
                var cluster = grains.GetGrain<IClusterGrain>(clusterKeys.For(link.Region, link.ClusterId));
                var data = await cluster.GetForLinkAsync(userKey) is { } held
                    ? await ClusterReports.CompleteAsync(held, after => cluster.ReadReportsForLinkAsync(userKey, after))
                    : null;
                return new LinkedClusterData(link.ClusterId, link.Region, link.LinkedAt, data);
            }));
            var export = new PersonalDataExport(record, [.. clusters]);
            if (download is "1" or "true")
            {
                context.Response.Headers.ContentDisposition = "attachment; filename=\"prime-directive-my-data.json\"";
            }

            return TypedResults.Ok(export);
        });
    }

    private static async Task<IResult> CorrectAsync(HttpContext context, PeopleGrains people, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var (request, problem) = await JsonFields.ReadAsync(context.Request, ["name", "birthDate", "email", "emailCode"], fields =>
        {
            var correction = new
            {
                Name = fields.PersonName("name", required: false),
                BirthDate = fields.BirthDate("birthDate", required: false, now),
                Email = fields.Email("email", required: false),
                EmailCode = fields.Code("emailCode", required: false),
            };
            if (fields.Has("emailCode") && !fields.Has("email"))
            {
                fields.Shape["email"] = ["is required with emailCode"];
            }

            if (fields.Shape.Count == 0 && !fields.Has("name") && !fields.Has("birthDate") && !fields.Has("email"))
            {
                fields.Shape["$"] = ["must correct at least one of name, birthDate, email"];
            }

            return correction;
        });
        if (request is null)
        {
            return problem!;
        }

        var userId = context.User.UserId()!;
        return await ClusterCalls.RunAsync(context, async () =>
        {
            var user = people.User(userId);
            var emailChange = "unchanged";
            if (request.Email is { } email && request.EmailCode is { } code)
            {
                // Checked first: a wrong code changes nothing at all.
                var outcome = await user.ConfirmEmailChangeAsync(email, code);
                if (outcome == EmailChangeOutcome.InvalidCode)
                {
                    return Problems.Invalid(new Dictionary<string, string[]> { ["emailCode"] = ["is wrong, expired or used up; ask for a new one by sending the email alone"] });
                }

                emailChange = "changed";
            }

            CorrectionResult? result = null;
            if (request.Name is not null || request.BirthDate is not null)
            {
                result = await user.CorrectAsync(new ProfileCorrection(request.Name, request.BirthDate));
            }

            if (request.Email is { } newEmail && request.EmailCode is null)
            {
                await user.StartEmailChangeAsync(newEmail);
                emailChange = "code-sent";
            }

            if (result is { UnderThirteen: true })
            {
                // Policy: we do not keep the data of anyone under 13. The account's erasure starts now.
                var accepted = await people.EraseAsync(userId, "under-13");
                return TypedResults.Accepted(accepted.ReceiptUrl, accepted);
            }

            var profile = result?.Profile ?? (await user.GetAsync())?.Profile;
            return profile is null ? Problems.NotFound("account") : TypedResults.Ok(new CorrectedProfile(profile, emailChange));
        });
    }

    private static async Task<IResult> SetConsentAsync(HttpContext context, string purpose, PeopleGrains people)
    {
        if (ParsePurpose(purpose) is not { } parsed)
        {
            return Problems.NotFound("purpose");
        }

        var (request, problem) = await JsonFields.ReadAsync(context.Request, ["granted"], fields =>
        {
            var granted = fields.Bool("granted", required: true);
            if (parsed == DataPurpose.ServiceProvision)
            {
                fields.Values["purpose"] = ["service-provision is the account itself; erase the account to end it"];
            }

            return new { Granted = granted };
        });
        if (request is null)
        {
            return problem!;
        }

        var userId = context.User.UserId()!;
        return await ClusterCalls.RunAsync(context, async () =>
            await people.User(userId).SetConsentAsync(parsed, request.Granted!.Value) is { } consent
                ? TypedResults.Ok(consent)
                : Problems.NotFound("account"));
    }

    private static async Task<IResult> LinkClusterAsync(HttpContext context, PeopleGrains people)
    {
        var (request, problem) = await JsonFields.ReadAsync(context.Request, ["clusterId", "bootstrapId", "region"], fields => new
        {
            ClusterId = Identifiers.Uuid(fields.String("clusterId", required: true), "clusterId", fields.Values),
            BootstrapId = Identifiers.Uuid(fields.String("bootstrapId", required: true), "bootstrapId", fields.Values),
            Region = fields.Region("region", required: false, people.IsRegion),
        });
        if (request is null)
        {
            return problem!;
        }

        var userId = context.User.UserId()!;
        return await ClusterCalls.RunAsync(context, async () =>
        {
            var user = people.User(userId);
            foreach (var region in request.Region is { } named ? [named] : people.Regions)
            {
                if (await user.LinkClusterAsync(request.ClusterId!, region, request.BootstrapId!) is { } link)
                {
                    return TypedResults.Ok(link);
                }
            }

            return Problems.NotFound("cluster");
        });
    }

    private static async Task<IResult> EraseAsync(HttpContext context, PeopleGrains people)
    {
        var userId = context.User.UserId()!;
        return await ClusterCalls.RunAsync(context, async () =>
        {
            var accepted = await people.EraseAsync(userId, "person-request");
            return TypedResults.Accepted(accepted.ReceiptUrl, accepted);
        });
    }

    private static async Task<IResult> NotificationsAsync(HttpContext context, PeopleGrains people) =>
        await ListAsync(context, people, record => record.Notifications);

    private static async Task<IResult> DisclosuresAsync(HttpContext context, PeopleGrains people) =>
        await ListAsync(context, people, record => record.Disclosures);

    private static async Task<IResult> ListAsync(HttpContext context, PeopleGrains people, Func<UserRecord, ImmutableArray<Notification>> select)
    {
        var userId = context.User.UserId()!;
        return await ClusterCalls.RunAsync(context, async () =>
            await people.User(userId).GetAsync() is { } record ? TypedResults.Ok(select(record)) : Problems.NotFound("account"));
    }

    private static DataPurpose? ParsePurpose(string text) =>
        Enum.GetValues<DataPurpose>().Select(purpose => (DataPurpose?)purpose)
            .FirstOrDefault(purpose => JsonSerializer.Serialize(purpose!.Value) == $"\"{text}\"");
}

/// <summary>Everything held about a person, machine-readable (access and portability).</summary>
internal sealed record PersonalDataExport(UserRecord Account, ImmutableArray<LinkedClusterData> Clusters);

/// <summary>A linked cluster and everything held about it, from its own region.</summary>
internal sealed record LinkedClusterData(string ClusterId, string Region, DateTimeOffset LinkedAt, ClusterRecord? Data);

/// <summary>The profile after a correction; <c>emailChange</c> is <c>unchanged</c>, <c>code-sent</c> or <c>changed</c>.</summary>
internal sealed record CorrectedProfile(UserProfile Profile, string EmailChange);
