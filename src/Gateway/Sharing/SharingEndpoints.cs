using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Auth;
using PrimeDirective.Gateway.Governance;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Sharing;

namespace PrimeDirective.Gateway.Sharing;

/// <summary>
/// Sharing (officers): the processors registry, the one decision point for every disclosure, and the verification of a
/// subject's disclosure ledger. Recipients without a push endpoint fetch their package at a capability URL.
/// </summary>
internal static partial class SharingEndpoints
{
    public const int MaxTextLength = 2000;

    public static IEndpointRouteBuilder MapSharingEndpoints(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/v1/admin").WithTags("Sharing").RequireAuthorization(GatewayAuth.OfficerPolicy)
            .ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPut("/processors/{processorId}", PutProcessorAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Registers or updates a processor: purposes, categories, regions, contract, endpoints; the secret is never shown back.");
        admin.MapGet("/processors/{processorId}", GetProcessorAsync).WithSummary("One processor, without its secret.");
        admin.MapGet("/processors", ListProcessorsAsync).WithSummary("Every processor, the audit of registry changes, and the mail relay's standing (flagged unless under contract).");
        admin.MapPost("/disclosures", DiscloseAsync).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Discloses a subject's data if the basis holds now (409 naming the basis otherwise); the ledger entry is written first. Every basis but consent is only proposed (202) until a second officer approves.");
        admin.MapGet("/disclosures/users/{userId}/verification", (string userId, OfficerSubjects subjects) => VerifyAsync(subjects.User(userId)))
            .WithSummary("Verifies a person's disclosure ledger: every entry's hash and link, and its head.");
        admin.MapGet("/disclosures/clusters/{clusterId}/verification", (string clusterId, [FromQuery] string? region, OfficerSubjects subjects) =>
            VerifyAsync(subjects.Cluster(clusterId, region))).WithSummary("Verifies a cluster's disclosure ledger (?region=, default the home region).");

        routes.MapGet("/v1/disclosure-packages/{token}", ReadPackageAsync).WithTags("Sharing").AllowAnonymous()
            .Produces<DisclosurePackageDocument>(StatusCodes.Status200OK, "application/json").ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A disclosed package, for whoever holds its capability URL, until it expires (7 days) or its subject is erased; then 404.");
        return routes.MapLegalRequestEndpoints();
    }

    private static async Task<Results<Ok<ProcessorView>, ProblemHttpResult>> PutProcessorAsync(string processorId, ProcessorBody body, HttpContext context, SharingDesk desk) =>
        await desk.PutProcessorAsync(processorId, body, context.User.UserId() ?? "external-officer") is var outcome && outcome is Outcome<ProcessorView>.Done(var stored)
            ? TypedResults.Ok(stored)
            : outcome.Problem();

    private static async Task<Results<Ok<ProcessorView>, ProblemHttpResult>> GetProcessorAsync(string processorId, IGrainFactory grains, UserGrains users) =>
        ProcessorId().IsMatch(processorId) && await Registry(grains, users).GetAsync(processorId) is { } view ? TypedResults.Ok(view) : Problems.NotFound("processor");

    private static async Task<Ok<ProcessorList>> ListProcessorsAsync(IGrainFactory grains, UserGrains users)
    {
        var registry = Registry(grains, users);
        return TypedResults.Ok(new ProcessorList(await registry.ListAsync(), await registry.AuditAsync(), await registry.MailRelayAsync()));
    }

    private static async Task<Results<Created<DisclosureMade>, Accepted<ProposalView>, ProblemHttpResult>> DiscloseAsync(
        DisclosureBody body, HttpContext context, SharingDesk desk, GovernanceDesk governance)
    {
        var officerId = context.User.UserId() ?? "external-officer";
        if (governance.Governs(body))
        {
            return await governance.ProposeAsync(body, officerId) is var proposed && proposed is Outcome<ProposalView>.Done(var proposal)
                ? GovernanceEndpoints.Accepted(proposal)
                : proposed.Problem();
        }

        return await desk.DiscloseAsync(body, officerId) is var outcome && outcome is Outcome<DisclosureMade>.Done(var made)
            ? TypedResults.Created(made.PackageUrl, made)
            : outcome.Problem();
    }

    private static async Task<Results<Ok<ChainVerification>, ProblemHttpResult>> VerifyAsync(NamedSubject? subject) =>
        await SharingDesk.VerifyAsync(subject) is var outcome && outcome is Outcome<ChainVerification>.Done(var verification) ? TypedResults.Ok(verification) : outcome.Problem();

    private static async Task<IResult> ReadPackageAsync(string token, IGrainFactory grains, UserGrains users)
    {
        if (SharingKeys.ParseToken(token) is not { } parsed || !users.IsRegion(parsed.Region) ||
            await grains.GetGrain<IDisclosurePackageGrain>(SharingKeys.Capability(parsed.Region, Capabilities.HashOf(parsed.Secret))).ReadAsync() is not { } json)
        {
            return Problems.NotFound("package");
        }

        return TypedResults.Text(json, "application/json");
    }

    public static IProcessorRegistryGrain Registry(IGrainFactory grains, UserGrains users) =>
        grains.GetGrain<IProcessorRegistryGrain>(SharingKeys.Registry(users.Home));

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}\\z", RegexOptions.CultureInvariant)]
    public static partial Regex ProcessorId();
}
