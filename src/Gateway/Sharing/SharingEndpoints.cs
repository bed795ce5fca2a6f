using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Auth;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.OpenDsr;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;

namespace PrimeDirective.Gateway.Sharing;

/// <summary>
/// Sharing (officers): the processors registry, the one decision point for every disclosure, and the verification of a
/// subject's disclosure ledger. Recipients without a push endpoint fetch their package at a capability URL.
/// </summary>
internal static partial class SharingEndpoints
{
    public const int MaxTextLength = 2000;

    /// <summary>The problem type of a refused disclosure names the basis that did not hold.</summary>
    public static string RefusalType(DisclosureBasis basis) => "basis-not-held-" + Wire(basis);

    public static IEndpointRouteBuilder MapSharingEndpoints(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/v1/admin").WithTags("Sharing").RequireAuthorization(GatewayAuth.OfficerPolicy)
            .ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPut("/processors/{processorId}", PutProcessorAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Registers or updates a processor: purposes, categories, regions, contract, endpoints; the secret is never shown back.");
        admin.MapGet("/processors/{processorId}", GetProcessorAsync).WithSummary("One processor, without its secret.");
        admin.MapGet("/processors", ListProcessorsAsync).WithSummary("Every processor, the audit of registry changes, and the mail relay's standing (flagged unless under contract).");
        admin.MapPost("/disclosures", DiscloseAsync).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Discloses a subject's data if the basis holds now (409 naming the basis otherwise); the ledger entry is written first.");
        admin.MapGet("/disclosures/users/{userId}/verification", (string userId, UserGrains users) => VerifyAsync(UserSubject(userId, users)))
            .WithSummary("Verifies a person's disclosure ledger: every entry's hash and link, and its head.");
        admin.MapGet("/disclosures/clusters/{clusterId}/verification", (string clusterId, [FromQuery] string? region, IGrainFactory grains, ClusterKeys keys, UserGrains users) =>
            VerifyAsync(ClusterSubject(clusterId, region, grains, keys, users))).WithSummary("Verifies a cluster's disclosure ledger (?region=, default the home region).");

        routes.MapGet("/v1/disclosure-packages/{token}", ReadPackageAsync).WithTags("Sharing").AllowAnonymous()
            .Produces<DisclosurePackageDocument>(StatusCodes.Status200OK, "application/json").ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A disclosed package, for whoever holds its capability URL, until it expires (7 days) or its subject is erased; then 404.");
        return routes.MapLegalRequestEndpoints();
    }

    private static async Task<Results<Ok<ProcessorView>, ProblemHttpResult>> PutProcessorAsync(
        string processorId, ProcessorBody body, HttpContext context, IGrainFactory grains, UserGrains users, IConfiguration configuration, IHostEnvironment environment,
        CertificateTrust trust, TimeProvider clock)
    {
        if (!ProcessorId().IsMatch(processorId))
        {
            return Problems.Invalid(new Dictionary<string, string[]> { ["processorId"] = ["must be 1 to 64 lower-case letters, digits or hyphens"] });
        }

        if (RefusesHttp(body, configuration, environment))
        {
            return Problems.Invalid(new Dictionary<string, string[]> { ["endpoint"] = ["must be an https URL outside development"] });
        }

        // OpenDSR §4.1: a CA-issued certificate for the processor's domain, never self-signed; checked again at every use.
        if (body.Certificate is not null && trust.Check(body.Certificate, body.OpenDsrDomain!, clock.GetUtcNow()) is var verdict && verdict != CertificateVerdict.Valid)
        {
            return Problems.Invalid(new Dictionary<string, string[]> { ["certificate"] = [$"does not validate: {OpenDsr.OpenDsrEndpoints.VerdictName(verdict)}"] });
        }

        var view = new ProcessorView(
            processorId, body.Name, body.Purposes, body.Categories, body.Regions, body.Location,
            new ProcessorContract(body.Contract.Reference, body.Contract.SignedAt, body.Contract.ExpiresAt), body.Endpoint, body.ErasureEndpoint, default,
            body.OpenDsrDomain, body.Certificate);
        return await Registry(grains, users).PutAsync(view, body.Secret, context.User.UserId() ?? "external-officer") is { } stored
            ? TypedResults.Ok(stored)
            : Problems.Invalid(new Dictionary<string, string[]> { ["secret"] = ["or a certificate is required for a new processor"] });
    }

    private static async Task<Results<Ok<ProcessorView>, ProblemHttpResult>> GetProcessorAsync(string processorId, IGrainFactory grains, UserGrains users) =>
        ProcessorId().IsMatch(processorId) && await Registry(grains, users).GetAsync(processorId) is { } view ? TypedResults.Ok(view) : Problems.NotFound("processor");

    private static async Task<Ok<ProcessorList>> ListProcessorsAsync(IGrainFactory grains, UserGrains users)
    {
        var registry = Registry(grains, users);
        return TypedResults.Ok(new ProcessorList(await registry.ListAsync(), await registry.AuditAsync(), await registry.MailRelayAsync()));
    }

    private static async Task<Results<Created<DisclosureMade>, ProblemHttpResult>> DiscloseAsync(
        DisclosureBody body, HttpContext context, IGrainFactory grains, ClusterKeys keys, UserGrains users)
    {
        if (await OrderAsync(body, context.User.UserId() ?? "external-officer", grains, keys, users) is not ({ } outcome, var region))
        {
            return Problems.NotFound("subject");
        }

        if (outcome.RefusedBasis is { } refused)
        {
            return TypedResults.Problem(
                detail: RefusalDetail(refused, outcome.Reason),
                statusCode: StatusCodes.Status409Conflict,
                title: "The disclosure's basis does not hold.",
                type: Problems.TypePrefix + RefusalType(refused),
                extensions: new Dictionary<string, object?> { ["basis"] = Wire(refused), ["condition"] = outcome.Reason });
        }

        var url = outcome.CapabilitySecret is { } secret ? $"/v1/disclosure-packages/{SharingKeys.Token(region, secret)}" : null;
        return TypedResults.Created(url, new DisclosureMade(outcome.Entry!, url, outcome.CapabilityExpiresAt));
    }

    /// <summary>Personal data travels to processors only over TLS, except while developing (or where configured for tests).</summary>
    public static bool RefusesHttp(ProcessorBody body, IConfiguration configuration, IHostEnvironment environment) =>
        body.UsesHttp && !environment.IsDevelopment() && !configuration.GetValue<bool>("Sharing:AllowInsecureEndpoints");

    /// <summary>
    /// Hands a checked order to the subject, the one decision point (the route and the officer's page both come here):
    /// the outcome and the subject's region, or <c>null</c> for an unknown subject.
    /// </summary>
    public static async Task<(DisclosureOutcome Outcome, string Region)?> OrderAsync(
        DisclosureBody body, string officerId, IGrainFactory grains, ClusterKeys keys, UserGrains users)
    {
        ArgumentNullException.ThrowIfNull(body);
        var (subject, region) = body.Subject.UserId is { } userId
            ? (UserSubject(userId, users), SubjectIds.Parse(userId)?.Region)
            : (ClusterSubject(body.Subject.ClusterId!, body.Subject.Region, grains, keys, users), body.Subject.Region);
        if (subject is null || region is null)
        {
            return null;
        }

        // Read just before deciding: the contract must hold at this moment, not when the officer last looked.
        var processor = body.Basis == DisclosureBasis.Processor && ProcessorId().IsMatch(body.Recipient)
            ? await Registry(grains, users).GetAsync(body.Recipient)
            : null;
        var order = new DisclosureOrder(
            SubjectIds.New(region), body.Recipient, body.Basis, body.Categories, body.Purpose ?? DataPurpose.ServiceProvision, body.Rationale, body.Protects,
            officerId, processor,
            body.Change is { } change ? new OrganisationalChange(change.Kind, change.Successor, change.Reference) : null, null, null, null);
        return await subject.DiscloseAsync(order) is { } outcome ? (outcome, region) : null;
    }

    /// <summary>The refusal's text: the basis that does not hold and its failed condition.</summary>
    public static string RefusalDetail(DisclosureBasis refused, string? reason) =>
        $"The basis '{Wire(refused)}' does not hold now: {reason}. Nothing was sent or recorded as disclosed.";

    private static async Task<Results<Ok<ChainVerification>, ProblemHttpResult>> VerifyAsync(IDisclosureSubject? subject) =>
        subject is not null && await subject.VerifyDisclosuresAsync() is { } verification ? TypedResults.Ok(verification) : Problems.NotFound("subject");

    private static async Task<IResult> ReadPackageAsync(string token, IGrainFactory grains, UserGrains users)
    {
        if (SharingKeys.ParseToken(token) is not { } parsed || !users.IsRegion(parsed.Region) ||
            await grains.GetGrain<IDisclosurePackageGrain>(SharingKeys.Capability(parsed.Region, Capabilities.HashOf(parsed.Secret))).ReadAsync() is not { } json)
        {
            return Problems.NotFound("package");
        }

        return TypedResults.Text(json, "application/json");
    }

    /// <summary>The person's subject grain, or <c>null</c> for an id that cannot be one (answered like an unknown person).</summary>
    public static IDisclosureSubject? UserSubject(string userId, UserGrains users) =>
        SubjectIds.Parse(userId) is { } parsed && users.IsRegion(parsed.Region) ? users.User(userId).AsReference<IDisclosureSubject>() : null;

    /// <summary>The cluster's subject grain in <paramref name="region"/> (default home), or <c>null</c> for an id or region that cannot be one.</summary>
    internal static IDisclosureSubject? ClusterSubject(string clusterId, string? region, IGrainFactory grains, ClusterKeys keys, UserGrains users) =>
        Identifiers.Uuid(clusterId) is { } cluster && (region ?? users.Home) is var named && users.IsRegion(named)
            ? grains.GetGrain<IClusterGrain>(keys.For(named, cluster)).AsReference<IDisclosureSubject>()
            : null;

    public static IProcessorRegistryGrain Registry(IGrainFactory grains, UserGrains users) =>
        grains.GetGrain<IProcessorRegistryGrain>(SharingKeys.Registry(users.Home));

    private static string Wire(DisclosureBasis basis) => System.Text.Json.JsonSerializer.Serialize(basis, SharingJson.Default.DisclosureBasis).Trim('"');

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}\\z", RegexOptions.CultureInvariant)]
    public static partial Regex ProcessorId();
}
