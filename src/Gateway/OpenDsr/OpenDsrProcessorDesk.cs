using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Gateway.Sharing;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.OpenDsr;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Regions;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Gateway.OpenDsr;

/// <summary>
/// OpenDSR on our side as a processor: the controllers officers allow, their signed requests checked (domain, certificate,
/// signature over the raw body, then the body), kept <c>pending</c> until the person named confirms with an emailed code,
/// their status and their cancellation, and the results of a confirmed access or portability request. A controller's word
/// alone erases nobody and releases nothing.
/// </summary>
internal sealed class OpenDsrProcessorDesk(
    IGrainFactory grains, UserGrains users, ClusterKeys clusterKeys, Pseudonymizer pseudonymizer, CertificateTrust trust, OpenDsrKeyRing keys, IOptions<OpenDsrOptions> options,
    IOptions<RegionOptions> regions, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, IConfiguration configuration, IHostEnvironment environment, TimeProvider clock)
{
    /// <summary>The identity types our discovery lists, each in the formats we take.</summary>
    public static readonly ImmutableArray<(string Type, string Format)> SupportedIdentities = [("email", "raw"), ("controller_customer_id", "raw")];

    /// <summary>The request types our discovery lists.</summary>
    public static readonly ImmutableArray<string> SupportedTypes = ["erasure", "access", "portability"];

    private static readonly string[] s_identityTypes =
    [
        "controller_customer_id", "android_advertising_id", "android_id", "email", "fire_advertising_id", "ios_advertising_id", "ios_vendor_id",
        "microsoft_advertising_id", "microsoft_publisher_id", "roku_publisher_id", "roku_advertising_id",
    ];

    private const int MaxCallbackUrls = 10;

    private const int MaxIdentities = 20;

    private IOpenDsrControllerRegistryGrain Registry => grains.GetGrain<IOpenDsrControllerRegistryGrain>(OpenDsrKeys.Controllers(users.Home));

    /// <summary>Whether we can answer as a processor at all: only with a certificate to sign with (§4.1).</summary>
    public bool Serving => keys.Active is not null;

    /// <summary>Registers or updates a controller whose certificate validates now for its domain.</summary>
    public async Task<Outcome<OpenDsrControllerView>> PutControllerAsync(string controllerId, OpenDsrControllerBody body, string officerId)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!Sharing.SharingEndpoints.ProcessorId().IsMatch(controllerId))
        {
            return new Outcome<OpenDsrControllerView>.Invalid("controllerId", "must be 1 to 64 lower-case letters, digits or hyphens");
        }

        // OpenDSR §4.1: a CA-issued certificate for the controller's domain, never self-signed; checked again at every use.
        if (trust.Check(body.Certificate, body.Domain, clock.GetUtcNow()) is var verdict && verdict != CertificateVerdict.Valid)
        {
            return new Outcome<OpenDsrControllerView>.Invalid("certificate", $"does not validate: {OpenDsrEndpoints.VerdictName(verdict)}");
        }

        if (await Registry.FindByDomainAsync(body.Domain) is { } other && other.ControllerId != controllerId)
        {
            return new Outcome<OpenDsrControllerView>.Conflict("domain", "another controller is registered with this domain");
        }

        return Outcome.Done(await Registry.PutAsync(new OpenDsrControllerView(controllerId, body.Name, body.Domain, body.Certificate, default), officerId));
    }

    /// <summary>One controller; <c>null</c> if unknown.</summary>
    public async Task<OpenDsrControllerView?> ControllerAsync(string controllerId) =>
        Sharing.SharingEndpoints.ProcessorId().IsMatch(controllerId) ? await Registry.GetAsync(controllerId) : null;

    /// <summary>Every controller.</summary>
    public Task<ImmutableArray<OpenDsrControllerView>> ControllersAsync() => Registry.ListAsync();

    /// <summary>
    /// A controller's request (§7): 401 unless the domain is a registered controller's and its certificate validates, 400
    /// unless the signature holds for the raw body, then 400 for a body that is not a well-formed request we serve. A new
    /// request is recorded <c>pending</c> and each person it names by email is sent a code to confirm it; a replay of the
    /// same body answers the same and sends nothing.
    /// </summary>
    public async Task<ProcessorAnswer> ReceiveAsync(string? domain, string? signature, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (await AuthenticateAsync(domain) is not { } controller)
        {
            return ProcessorAnswer.Unauthorized;
        }

        if (!CertificateTrust.Verifies(controller.Certificate, body, signature))
        {
            return ProcessorAnswer.Error(StatusCodes.Status400BadRequest, "X-OpenDSR-Signature is not a valid signature of the body by the controller's certificate.");
        }

        if (ParseRequest(body) is not { } request)
        {
            return ProcessorAnswer.Error(StatusCodes.Status400BadRequest, "The body is not valid JSON.");
        }

        if (request.Error is { } error)
        {
            return ProcessorAnswer.Error(StatusCodes.Status400BadRequest, error);
        }

        var inboundKey = OpenDsrKeys.Inbound(users.Home, controller.ControllerId, request.SubjectRequestId);
        var submission = new OpenDsrInboundSubmission(
            controller.ControllerId, controller.Name, request.SubjectRequestId, request.Type, request.Regulation, request.SubmittedTime,
            Convert.ToHexStringLower(SHA256.HashData(body)), request.CallbackUrls,
            request.ClusterId is { } clusterId ? pseudonymizer.Pseudonymize(OpenDsrKeys.ClusterPseudonymDomain, clusterId) : null);
        if (await grains.GetGrain<IOpenDsrInboundGrain>(inboundKey).ReceiveAsync(submission) is not { } view)
        {
            return ProcessorAnswer.Error(StatusCodes.Status400BadRequest, "subject_request_id already names a different request.");
        }

        if (!view.Replayed)
        {
            await SendConfirmationCodesAsync(request.Emails, inboundKey, controller, request.SubjectRequestId, request.Type);
        }

        return new ProcessorAnswer(StatusCodes.Status201Created, null, view, body);
    }

    /// <summary>Where a request stands (§8.1): 401 unless a registered controller asks with a valid certificate; 404 if it is not that controller's.</summary>
    public async Task<ProcessorAnswer> StatusAsync(string? domain, string subjectRequestId)
    {
        if (await AuthenticateAsync(domain) is not { } controller)
        {
            return ProcessorAnswer.Unauthorized;
        }

        return await InboundAsync(controller, subjectRequestId) is { } view
            ? new ProcessorAnswer(StatusCodes.Status200OK, null, view, null)
            : ProcessorAnswer.Error(StatusCodes.Status404NotFound, "No request of this controller has this subject_request_id.");
    }

    /// <summary>Cancels a request while it is <c>pending</c> (§9): signed like a request (over its raw body, empty or not); 202, or 400 once it is not pending.</summary>
    public async Task<ProcessorAnswer> CancelAsync(string? domain, string? signature, byte[] body, string subjectRequestId)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (await AuthenticateAsync(domain) is not { } controller)
        {
            return ProcessorAnswer.Unauthorized;
        }

        if (!CertificateTrust.Verifies(controller.Certificate, body, signature))
        {
            return ProcessorAnswer.Error(StatusCodes.Status400BadRequest, "X-OpenDSR-Signature is not a valid signature of the body by the controller's certificate.");
        }

        if (await InboundAsync(controller, subjectRequestId) is null)
        {
            return ProcessorAnswer.Error(StatusCodes.Status404NotFound, "No request of this controller has this subject_request_id.");
        }

        var view = await grains.GetGrain<IOpenDsrInboundGrain>(OpenDsrKeys.Inbound(users.Home, controller.ControllerId, subjectRequestId)).CancelAsync();
        return view is { Status: "cancelled" }
            ? new ProcessorAnswer(StatusCodes.Status202Accepted, null, view, null)
            : ProcessorAnswer.Error(StatusCodes.Status400BadRequest, $"The request is {view?.Status}: only a pending request can be cancelled.");
    }

    /// <summary>
    /// The person confirms a controller's request with the code we emailed them: only then is their account's erasure
    /// started. A wrong, expired or used code, or a request no longer pending, changes nothing.
    /// </summary>
    public async Task<Outcome<OpenDsrConfirmation>> ConfirmAsync(string controllerId, string subjectRequestId, string email, string code)
    {
        var check = new RequestCheck(clock.GetUtcNow(), regions.Value);
        email = check.Email("email", email);
        check.Code("code", code);
        if (check.Values.Count > 0 || !Sharing.SharingEndpoints.ProcessorId().IsMatch(controllerId) || !IsRequestId(subjectRequestId))
        {
            return new Outcome<OpenDsrConfirmation>.Invalid(check.Values.Keys.FirstOrDefault() ?? "request", check.Values.Values.FirstOrDefault()?.FirstOrDefault() ?? "is not a request we were sent");
        }

        var inboundKey = OpenDsrKeys.Inbound(users.Home, controllerId, subjectRequestId);
        foreach (var region in users.Regions)
        {
            if (await users.EmailIndex(region, email).ConfirmOpenDsrAsync(code, inboundKey) is { } userKey)
            {
                var confirmation = await grains.GetGrain<IOpenDsrInboundGrain>(inboundKey).ConfirmAsync(userKey);
                return confirmation.Refusal is null
                    ? Outcome.Done(confirmation)
                    : new Outcome<OpenDsrConfirmation>.Conflict("code", "This request was cancelled or has ended: nothing was changed.");
            }
        }

        return new Outcome<OpenDsrConfirmation>.Invalid("code", "is wrong, expired or used up");
    }

    /// <summary>
    /// The operator of the cluster a controller's erasure names confirms it with the cluster's bootstrap proof (as
    /// <c>POST /v1/clusters/{clusterId}/erasure</c> wants it): only then does the cluster's erasure start, with this request's
    /// receipt. A request not naming that cluster, not pending, or a wrong proof changes nothing.
    /// </summary>
    public async Task<Outcome<OpenDsrConfirmation>> ConfirmClusterAsync(string controllerId, string subjectRequestId, string clusterId, string proof)
    {
        if (!Sharing.SharingEndpoints.ProcessorId().IsMatch(controllerId) || !IsRequestId(subjectRequestId))
        {
            return new Outcome<OpenDsrConfirmation>.Invalid("request", "is not a request we were sent");
        }

        var inboundKey = OpenDsrKeys.Inbound(users.Home, controllerId, subjectRequestId);
        var inbound = grains.GetGrain<IOpenDsrInboundGrain>(inboundKey);
        var pseudonym = pseudonymizer.Pseudonymize(OpenDsrKeys.ClusterPseudonymDomain, clusterId?.Trim().ToLowerInvariant() ?? string.Empty);
        if (string.IsNullOrWhiteSpace(proof) || proof.Length > 128 || !await inbound.AwaitsClusterAsync(pseudonym))
        {
            return new Outcome<OpenDsrConfirmation>.Invalid("proof", "or the cluster id does not match a pending request");
        }

        var capability = pseudonymizer.Pseudonymize(OpenDsrKeys.ReceiptCapabilityDomain, inboundKey);
        foreach (var region in users.Regions)
        {
            var requestId = SubjectIds.New(region);
            var cluster = grains.GetGrain<Grains.Interfaces.Clusters.IClusterGrain>(clusterKeys.For(region, clusterId!.Trim().ToLowerInvariant()));
            if (await cluster.RequestErasureAsync(proof.Trim(), requestId, Capabilities.HashOf(capability)) is { } started)
            {
                // The proof held: the erasure is the operator's own from here, whatever the controller does next.
                await inbound.ConfirmClusterAsync(pseudonym, started.RequestId);
                return Outcome.Done(new OpenDsrConfirmation(started.RequestId, capability, null));
            }
        }

        return new Outcome<OpenDsrConfirmation>.Invalid("proof", "or the cluster id does not match a pending request");
    }

    /// <summary>
    /// A person who missed their code asks for a new one: sent if the request is still pending and an account holds the
    /// address, and the answer is the same whether or not (nobody learns who has an account, or what a controller asked).
    /// </summary>
    public async Task<Outcome<bool>> ResendCodeAsync(string controllerId, string subjectRequestId, string email)
    {
        var check = new RequestCheck(clock.GetUtcNow(), regions.Value);
        email = check.Email("email", email);
        if (check.Values.Count > 0)
        {
            return new Outcome<bool>.Invalid("email", check.Values["email"][0]);
        }

        if (await ControllerAsync(controllerId) is { } controller && IsRequestId(subjectRequestId))
        {
            var inboundKey = OpenDsrKeys.Inbound(users.Home, controllerId, subjectRequestId);
            if (await grains.GetGrain<IOpenDsrInboundGrain>(inboundKey).GetAsync() is { Status: "pending" } pending)
            {
                await SendConfirmationCodesAsync([email], inboundKey, controller, subjectRequestId, pending.RequestType);
            }
        }

        return Outcome.Done(true);
    }

    /// <summary>
    /// The results of a completed access or portability request, for whoever holds its capability URL (the controller it
    /// was given to): the person's export, the same JSON as <c>GET /v1/me</c>, released only after the person's ledger
    /// records it; <c>null</c> (404) for a wrong, expired or used-up capability, a request not completed, or a person gone.
    /// </summary>
    public async Task<byte[]?> ResultsAsync(string controllerId, string subjectRequestId, string capability)
    {
        if (!Serving || !Sharing.SharingEndpoints.ProcessorId().IsMatch(controllerId) || !IsRequestId(subjectRequestId) || capability is not { Length: 64 } ||
            !capability.All(char.IsAsciiHexDigitLower))
        {
            return null;
        }

        var inbound = grains.GetGrain<IOpenDsrInboundGrain>(OpenDsrKeys.Inbound(users.Home, controllerId, subjectRequestId));
        if (await inbound.ReleaseResultsAsync(capability) is not { } userKey || await grains.GetGrain<IUserGrain>(userKey).GetAsync() is not { } record)
        {
            return null;
        }

        var export = new PersonalDataExport(record, await LinkedClusterData.ReadAllAsync(grains, clusterKeys, record, userKey), await MailRoute.ForAsync(grains, users));
        return JsonSerializer.SerializeToUtf8Bytes(export, json.Value.SerializerOptions);
    }

    /// <summary>The type of request <paramref name="subjectRequestId"/> of <paramref name="controllerId"/> and whether it names a cluster (the page says what confirming does); <c>null</c> if unknown.</summary>
    public async Task<(string Type, bool NamesCluster)?> RequestKindAsync(string controllerId, string subjectRequestId) =>
        Sharing.SharingEndpoints.ProcessorId().IsMatch(controllerId) && IsRequestId(subjectRequestId) &&
        await grains.GetGrain<IOpenDsrInboundGrain>(OpenDsrKeys.Inbound(users.Home, controllerId, subjectRequestId)).GetAsync() is { } view
            ? (view.RequestType, view.NamesCluster)
            : null;

    /// <summary>The controller of <paramref name="domain"/> if it is registered and its certificate validates now; otherwise <c>null</c> (401).</summary>
    private async Task<OpenDsrControllerView?> AuthenticateAsync(string? domain)
    {
        if (!Serving || domain is null || domain.Length > 253 || await Registry.FindByDomainAsync(domain) is not { } controller)
        {
            return null;
        }

        return trust.Check(controller.Certificate, controller.Domain, clock.GetUtcNow()) == CertificateVerdict.Valid ? controller : null;
    }

    private async Task<OpenDsrInboundView?> InboundAsync(OpenDsrControllerView controller, string subjectRequestId) =>
        IsRequestId(subjectRequestId)
            ? await grains.GetGrain<IOpenDsrInboundGrain>(OpenDsrKeys.Inbound(users.Home, controller.ControllerId, subjectRequestId)).GetAsync()
            : null;

    /// <summary>Each address named gets a code in the region whose account claims it; an address nobody claims gets nothing, and nobody learns which.</summary>
    private async Task SendConfirmationCodesAsync(ImmutableArray<string> emails, string inboundKey, OpenDsrControllerView controller, string subjectRequestId, string type)
    {
        var url = (options.Value.PublicBaseUrl?.TrimEnd('/') ?? string.Empty) + ConfirmPath(controller.ControllerId, subjectRequestId);
        foreach (var email in emails)
        {
            foreach (var region in users.Regions)
            {
                await users.EmailIndex(region, email).StartOpenDsrConfirmationAsync(email, inboundKey, controller.Name, url, type);
            }
        }
    }

    /// <summary>The Privacy Center page where a person confirms request <paramref name="subjectRequestId"/> of <paramref name="controllerId"/>.</summary>
    public static string ConfirmPath(string controllerId, string subjectRequestId) => $"/privacy/opendsr?controller={controllerId}&request={subjectRequestId}";

    /// <summary>A <c>subject_request_id</c> as §1.1 wants it: a lower-case v4 GUID.</summary>
    private static bool IsRequestId(string text) =>
        text.Length == 36 && Guid.TryParseExact(text, "D", out var parsed) && parsed.Version == 4 && !text.Any(char.IsAsciiLetterUpper);

    private bool AllowsHttp => environment.IsDevelopment() || configuration.GetValue<bool>("Sharing:AllowInsecureEndpoints");

    /// <summary>The request's fields we act on, or the first thing wrong with it (naming the field, never a value); <c>null</c> if not JSON.</summary>
    private InboundRequest? ParseRequest(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return InboundRequest.Refused("The body must be a JSON object.");
            }

            string? Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            if (Text("regulation") is not ("gdpr" or "ccpa"))
            {
                return InboundRequest.Refused("regulation is required: gdpr or ccpa.");
            }

            if (Text("subject_request_id") is not { } subjectRequestId || !IsRequestId(subjectRequestId))
            {
                return InboundRequest.Refused("subject_request_id is required: a lower-case UUID v4.");
            }

            if (Text("subject_request_type") is not ("erasure" or "access" or "portability") || Text("subject_request_type") is not { } type)
            {
                return InboundRequest.Refused("subject_request_type is required: erasure, access or portability.");
            }

            if (!SupportedTypes.Contains(type))
            {
                return InboundRequest.Refused($"subject_request_type {type} is not supported by this processor (see discovery).");
            }

            if (IsoInstant.Parse(Text("submitted_time")) is not { } submitted)
            {
                return InboundRequest.Refused("submitted_time is required: an RFC 3339 date with an offset.");
            }

            if (root.TryGetProperty("api_version", out var version) && (version.ValueKind != JsonValueKind.String || !version.GetString()!.StartsWith('2')))
            {
                return InboundRequest.Refused("api_version must be a 2.x version.");
            }

            if (Callbacks(root) is not { } callbacks)
            {
                return InboundRequest.Refused($"status_callback_urls must be an array of at most {MaxCallbackUrls} absolute https URLs.");
            }

            return Identities(root) switch
            {
                (null, _, var refusal) => InboundRequest.Refused(refusal!),
                (_, { } clusterId, _) when type != "erasure" => InboundRequest.Refused("controller_customer_id (a cluster) is served for erasure only."),
                ({ } emails, var clusterId, _) => new InboundRequest(subjectRequestId, type, Text("regulation")!, submitted, callbacks, emails, clusterId, null),
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private ImmutableArray<string>? Callbacks(JsonElement root)
    {
        if (!root.TryGetProperty("status_callback_urls", out var urls) || urls.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (urls.ValueKind != JsonValueKind.Array || urls.GetArrayLength() > MaxCallbackUrls)
        {
            return null;
        }

        var list = ImmutableArray.CreateBuilder<string>();
        foreach (var url in urls.EnumerateArray())
        {
            if (url.ValueKind != JsonValueKind.String || url.GetString() is not { Length: <= 2048 } text || !Uri.TryCreate(text, UriKind.Absolute, out var parsed) ||
                !(parsed.Scheme == Uri.UriSchemeHttps || (parsed.Scheme == Uri.UriSchemeHttp && AllowsHttp)) || parsed.UserInfo.Length > 0)
            {
                return null;
            }

            list.Add(text);
        }

        return list.Distinct(StringComparer.Ordinal).ToImmutableArray();
    }

    /// <summary>The raw email identities (normalised) or the one cluster id named, or why the identities are refused.</summary>
    private (ImmutableArray<string>? Emails, string? ClusterId, string? Refusal) Identities(JsonElement root)
    {
        if (!root.TryGetProperty("subject_identities", out var identities) || identities.ValueKind != JsonValueKind.Array || identities.GetArrayLength() is 0 or > MaxIdentities)
        {
            return (null, null, $"subject_identities is required: 1 to {MaxIdentities} identity objects (extensions carry none we read).");
        }

        var emails = ImmutableArray.CreateBuilder<string>();
        var clusters = new HashSet<string>(StringComparer.Ordinal);
        foreach (var identity in identities.EnumerateArray())
        {
            string? Field(string name) => identity.ValueKind == JsonValueKind.Object && identity.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            if (Field("identity_type") is not { } kind || !s_identityTypes.Contains(kind) || Field("identity_format") is not ("raw" or "sha1" or "md5" or "sha256") ||
                Field("identity_value") is not { Length: > 0 })
            {
                return (null, null, "Each subject_identities entry needs identity_type, identity_value and identity_format (§5).");
            }

            if (kind == "controller_customer_id" && SupportedIdentities.Contains((kind, Field("identity_format")!)))
            {
                if (!Guid.TryParseExact(Field("identity_value")!.Trim(), "D", out var clusterId))
                {
                    return (null, null, "A controller_customer_id identity_value is not a cluster id (a UUID).");
                }

                clusters.Add(clusterId.ToString("D"));
            }
            else if (SupportedIdentities.Contains((kind, Field("identity_format")!)))
            {
                var check = new RequestCheck(clock.GetUtcNow(), regions.Value);
                var email = check.Email("identity_value", Field("identity_value")!);
                if (check.Values.Count > 0)
                {
                    return (null, null, "An email identity_value is not one email address.");
                }

                emails.Add(email);
            }
        }

        return (emails.Count, clusters.Count) switch
        {
            (0, 0) => (null, null, "No subject_identities entry is of a type and format this processor supports (see discovery)."),
            (> 0, > 0) => (null, null, "A request names people (email) or one cluster (controller_customer_id), not both."),
            (_, > 1) => (null, null, "A request names at most one cluster (controller_customer_id)."),
            _ => (emails.Distinct(StringComparer.Ordinal).ToImmutableArray(), clusters.SingleOrDefault(), null),
        };
    }

    /// <summary>A parsed request, or the reason it is refused.</summary>
    private sealed record InboundRequest(
        string SubjectRequestId, string Type, string Regulation, DateTimeOffset SubmittedTime, ImmutableArray<string> CallbackUrls, ImmutableArray<string> Emails,
        string? ClusterId, string? Error)
    {
        public static InboundRequest Refused(string error) => new(string.Empty, string.Empty, string.Empty, default, [], [], null, error);
    }
}

/// <summary>What the desk answers a controller: the status, and the request's view or the error's message (never a submitted value).</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="ErrorMessage">The error's message, when refused.</param>
/// <param name="View">The request, when answered.</param>
/// <param name="RequestBody">The body received, for <c>encoded_request</c> (answered, never stored).</param>
internal sealed record ProcessorAnswer(int Status, string? ErrorMessage, OpenDsrInboundView? View, byte[]? RequestBody)
{
    public static ProcessorAnswer Unauthorized { get; } =
        Error(StatusCodes.Status401Unauthorized, "X-OpenDSR-Processor-Domain must name a registered controller whose certificate validates.");

    public static ProcessorAnswer Error(int status, string message) => new(status, message, null, null);
}

/// <summary>A controller's registration, as an officer sends it.</summary>
/// <param name="Name">Its name (told to the people asked to confirm its requests).</param>
/// <param name="Domain">Its OpenDSR domain.</param>
/// <param name="Certificate">Its CA-issued certificate (PEM, chain after it).</param>
internal sealed record OpenDsrControllerBody(string Name, string Domain, string Certificate) : IRequestBody
{
    public IRequestBody Check(RequestCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        check.Require(Domain is { Length: > 0 and <= 253 } && Uri.CheckHostName(Domain) == UriHostNameType.Dns, "domain", "must be a DNS name");
        check.Require(
            Certificate is { Length: > 0 and <= Sharing.ProcessorBody.MaxCertificateLength } && Certificate.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal),
            "certificate", "must be a PEM certificate chain");
        return this with { Name = check.Text("name", Name ?? string.Empty), Domain = Domain?.Trim().ToLowerInvariant() ?? string.Empty };
    }
}
