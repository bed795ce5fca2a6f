using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Auth;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Grains.Interfaces.OpenDsr;

namespace PrimeDirective.Gateway.OpenDsr;

/// <summary>
/// OpenDSR 2.0 with us as the processor (§6-§9), under <c>/opendsr/v2/</c> and the OpenGDPR v1 names §10.1 keeps
/// (<c>/discovery</c>, <c>/opengdpr_requests</c>): every answer, errors included, is signed with our certificate's key over
/// its exact bytes and carries both headers (and their <c>X-OpenGDPR-</c> twins). Officers register the controllers.
/// </summary>
internal static class OpenDsrProcessorEndpoints
{
    private const int MaxCancellationBytes = 16 * 1024;

    public static IEndpointRouteBuilder MapOpenDsrProcessorEndpoints(this IEndpointRouteBuilder routes)
    {
        foreach (var (discovery, requests) in new[] { ("/opendsr/v2/discovery", "/opendsr/v2/requests"), ("/discovery", "/opengdpr_requests") })
        {
            var legacy = requests == "/opengdpr_requests" ? " (OpenGDPR v1 name)" : string.Empty;
            routes.MapGet(discovery, Discovery).AllowAnonymous().WithTags("OpenDSR")
                .Produces<OpenDsrDiscoveryDocument>(StatusCodes.Status200OK, "application/json")
                .WithSummary($"What we serve as an OpenDSR processor: api_version, identities, request types, our certificate's URL{legacy}.");
            routes.MapPost(requests, ReceiveAsync).AllowAnonymous().WithTags("OpenDSR")
                .Accepts<OpenDsrRequestDocument>("application/json")
                .Produces<OpenDsrRequestAnswer>(StatusCodes.Status201Created, "application/json")
                .Produces<OpenDsrErrorDocument>(StatusCodes.Status400BadRequest, "application/json").Produces<OpenDsrErrorDocument>(StatusCodes.Status401Unauthorized, "application/json")
                .WithSummary($"A registered controller's signed request: 201 pending until the person named confirms it with an emailed code; 400/401 with the spec's error{legacy}.");
            routes.MapGet(requests + "/{subjectRequestId}", StatusAsync).AllowAnonymous().WithTags("OpenDSR")
                .Produces<OpenDsrStatusDocument>(StatusCodes.Status200OK, "application/json")
                .Produces<OpenDsrErrorDocument>(StatusCodes.Status401Unauthorized, "application/json").Produces<OpenDsrErrorDocument>(StatusCodes.Status404NotFound, "application/json")
                .WithSummary($"A request's status (pending, in_progress, completed, cancelled), signed; for the controller that sent it (X-OpenDSR-Processor-Domain){legacy}.");
            routes.MapDelete(requests + "/{subjectRequestId}", CancelAsync).AllowAnonymous().WithTags("OpenDSR")
                .Produces<OpenDsrCancellationAnswer>(StatusCodes.Status202Accepted, "application/json")
                .Produces<OpenDsrErrorDocument>(StatusCodes.Status400BadRequest, "application/json").Produces<OpenDsrErrorDocument>(StatusCodes.Status401Unauthorized, "application/json")
                .Produces<OpenDsrErrorDocument>(StatusCodes.Status404NotFound, "application/json")
                .WithSummary($"Cancels a pending request (202, signed); signed by the controller over the raw body, empty or not{legacy}.");
        }

        routes.MapGet("/opendsr/v2/results/{controllerId}/{subjectRequestId}/{capability}", ResultsAsync).AllowAnonymous().WithTags("OpenDSR")
            .Produces<OpenDsrResultsDocument>(StatusCodes.Status200OK, "application/json").Produces<OpenDsrErrorDocument>(StatusCodes.Status404NotFound, "application/json")
            .WithSummary("A completed access or portability request's results_url: the person's export (as GET /v1/me), signed; each fetch is a release in their disclosure ledger; 404 once expired (7 days) or fetched 3 times, or for a guess.");

        var admin = routes.MapGroup("/v1/admin/opendsr-controllers").WithTags("OpenDSR").RequireAuthorization(GatewayAuth.OfficerPolicy)
            .ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPut("/{controllerId}", PutControllerAsync).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Registers or updates a controller allowed to send us OpenDSR requests: its name, domain and CA-issued certificate.");
        admin.MapGet("/{controllerId}", GetControllerAsync).WithSummary("One registered OpenDSR controller.");
        admin.MapGet(string.Empty, async (OpenDsrProcessorDesk desk) => TypedResults.Ok(await desk.ControllersAsync()))
            .WithSummary("Every registered OpenDSR controller.");
        return routes;
    }

    private static IResult Discovery(HttpContext context, OpenDsrKeyRing keys, IOptions<OpenDsrOptions> options)
    {
        if (keys.Active is null)
        {
            return Problems.NotFound("OpenDSR processor");
        }

        var root = options.Value.PublicBaseUrl?.TrimEnd('/') ?? $"{context.Request.Scheme}://{context.Request.Host}";
        var document = new OpenDsrDiscoveryDocument(
            OpenDsrNames.ApiVersion,
            [.. OpenDsrProcessorDesk.SupportedIdentities.Select(identity => new OpenDsrIdentityKind(identity.Type, identity.Format))],
            OpenDsrProcessorDesk.SupportedTypes,
            root + OpenDsrEndpoints.CertificatePath);
        return Signed(context, keys, StatusCodes.Status200OK, JsonSerializer.SerializeToUtf8Bytes(document, OpenDsrJson.Default.OpenDsrDiscoveryDocument), withProcessorSignature: false);
    }

    private static async Task<IResult> ReceiveAsync(HttpContext context, OpenDsrProcessorDesk desk, OpenDsrKeyRing keys)
    {
        var (domain, signature) = Headers(context);
        using var buffered = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffered, context.RequestAborted);
        var answer = await desk.ReceiveAsync(domain, signature, buffered.ToArray());
        return Answer(context, keys, answer, view => Json(json =>
        {
            json.WriteString("controller_id", view.ControllerId);
            json.WriteString("expected_completion_time", view.ExpectedCompletionTime.ToUniversalTime());
            json.WriteString("received_time", view.ReceivedTime.ToUniversalTime());
            json.WriteString("encoded_request", Convert.ToBase64String(answer.RequestBody!));
            json.WriteString("subject_request_id", view.SubjectRequestId);
        }));
    }

    private static async Task<IResult> StatusAsync(
        string subjectRequestId, HttpContext context, OpenDsrProcessorDesk desk, OpenDsrKeyRing keys, IOptions<OpenDsrOptions> options)
    {
        var answer = await desk.StatusAsync(Headers(context).Domain, subjectRequestId);
        return Answer(context, keys, answer, view => Json(json =>
        {
            json.WriteString("controller_id", view.ControllerId);
            json.WriteString("expected_completion_time", view.ExpectedCompletionTime.ToUniversalTime());
            json.WriteString("subject_request_id", view.SubjectRequestId);
            json.WriteString("request_status", view.Status);
            json.WriteString("api_version", OpenDsrNames.ApiVersion);
            if (view.ResultsPath is { } path)
            {
                json.WriteString("results_url", (options.Value.PublicBaseUrl?.TrimEnd('/') ?? $"{context.Request.Scheme}://{context.Request.Host}") + path);
                json.WriteNumber("results_count", view.ResultsCount ?? 0);
            }
        }));
    }

    private static async Task<IResult> ResultsAsync(
        string controllerId, string subjectRequestId, string capability, HttpContext context, OpenDsrProcessorDesk desk, OpenDsrKeyRing keys)
    {
        if (keys.Active is null)
        {
            return Problems.NotFound("OpenDSR processor");
        }

        return await desk.ResultsAsync(controllerId, subjectRequestId, capability) is { } export
            ? Signed(context, keys, StatusCodes.Status200OK, export, withProcessorSignature: false)
            : Signed(context, keys, StatusCodes.Status404NotFound, Error(StatusCodes.Status404NotFound, "No results at this URL (wrong, expired or used up)."), withProcessorSignature: false);
    }

    private static async Task<IResult> CancelAsync(string subjectRequestId, HttpContext context, OpenDsrProcessorDesk desk, OpenDsrKeyRing keys, TimeProvider clock)
    {
        var (domain, signature) = Headers(context);
        if (context.Request.ContentLength > MaxCancellationBytes)
        {
            return Signed(context, keys, StatusCodes.Status400BadRequest, Error(StatusCodes.Status400BadRequest, "The body is too large."), withProcessorSignature: false);
        }

        using var buffered = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffered, context.RequestAborted);
        var answer = await desk.CancelAsync(domain, signature, buffered.ToArray(), subjectRequestId);
        return Answer(context, keys, answer, view => Json(json =>
        {
            json.WriteString("controller_id", view.ControllerId);
            json.WriteString("subject_request_id", view.SubjectRequestId);
            json.WriteString("received_time", clock.GetUtcNow().ToUniversalTime());
            json.WriteString("api_version", OpenDsrNames.ApiVersion);
        }));
    }

    private static async Task<Results<Ok<OpenDsrControllerView>, ProblemHttpResult>> PutControllerAsync(
        string controllerId, OpenDsrControllerBody body, HttpContext context, OpenDsrProcessorDesk desk) =>
        await desk.PutControllerAsync(controllerId, body, context.User.UserId() ?? "external-officer") is var outcome && outcome is Outcome<OpenDsrControllerView>.Done(var stored)
            ? TypedResults.Ok(stored)
            : outcome.Problem();

    private static async Task<Results<Ok<OpenDsrControllerView>, ProblemHttpResult>> GetControllerAsync(string controllerId, OpenDsrProcessorDesk desk) =>
        await desk.ControllerAsync(controllerId) is { } view ? TypedResults.Ok(view) : Problems.NotFound("controller");

    private static (string? Domain, string? Signature) Headers(HttpContext context)
    {
        var headers = context.Request.Headers;
        string? First(string name, string legacy) => headers.TryGetValue(name, out var value) || headers.TryGetValue(legacy, out value) ? value.ToString() : null;
        return (First(OpenDsrNames.DomainHeader, OpenDsrNames.LegacyDomainHeader), First(OpenDsrNames.SignatureHeader, OpenDsrNames.LegacySignatureHeader));
    }

    /// <summary>The desk's answer as signed bytes: its body (with <c>processor_signature</c> where §7.3 and §9.2 want it) or the spec's error.</summary>
    private static IResult Answer(HttpContext context, OpenDsrKeyRing keys, ProcessorAnswer answer, Func<OpenDsrInboundView, byte[]> body)
    {
        if (keys.Active is null)
        {
            return Problems.NotFound("OpenDSR processor");
        }

        return answer.View is { } view
            ? Signed(context, keys, answer.Status, body(view), withProcessorSignature: answer.Status != StatusCodes.Status200OK)
            : Signed(context, keys, answer.Status, Error(answer.Status, answer.ErrorMessage ?? "Refused."), withProcessorSignature: false);
    }

    /// <summary>
    /// Signs <paramref name="body"/>: <c>processor_signature</c> (when wanted) is our signature of the body's bytes before it
    /// was added (it goes last, so removing <c>,"processor_signature":"…"</c> gives those bytes back); the headers sign the
    /// exact bytes sent.
    /// </summary>
    private static SignedJson Signed(HttpContext context, OpenDsrKeyRing keys, int status, byte[] body, bool withProcessorSignature)
    {
        if (withProcessorSignature && keys.Sign(body) is { } inner)
        {
            body = [.. body.AsSpan(0, body.Length - 1), .. Encoding.UTF8.GetBytes($",\"processor_signature\":\"{inner}\"}}")];
        }

        var headers = context.Response.Headers;
        var signature = keys.Sign(body) ?? string.Empty;
        headers[OpenDsrNames.DomainHeader] = keys.Domain;
        headers[OpenDsrNames.SignatureHeader] = signature;
        headers[OpenDsrNames.LegacyDomainHeader] = keys.Domain;
        headers[OpenDsrNames.LegacySignatureHeader] = signature;
        headers.CacheControl = "no-store";
        return new SignedJson(status, body);
    }

    /// <summary>Exact bytes with a status: what was signed is what goes out.</summary>
    private sealed class SignedJson(int status, byte[] body) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = "application/json";
            httpContext.Response.ContentLength = body.Length;
            return httpContext.Response.Body.WriteAsync(body).AsTask();
        }
    }

    private static byte[] Error(int status, string message) =>
        JsonSerializer.SerializeToUtf8Bytes(new OpenDsrErrorDocument(new OpenDsrError(status, message)), OpenDsrJson.Default.OpenDsrErrorDocument);

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}

/// <summary>Our discovery (§6.3).</summary>
internal sealed record OpenDsrDiscoveryDocument(
    [property: JsonPropertyName("api_version")] string ApiVersion,
    [property: JsonPropertyName("supported_identities")] ImmutableArray<OpenDsrIdentityKind> SupportedIdentities,
    [property: JsonPropertyName("supported_subject_request_types")] ImmutableArray<string> SupportedSubjectRequestTypes,
    [property: JsonPropertyName("processor_certificate")] string ProcessorCertificate);

/// <summary>An identity type and format we take (§5).</summary>
internal sealed record OpenDsrIdentityKind(
    [property: JsonPropertyName("identity_type")] string IdentityType,
    [property: JsonPropertyName("identity_format")] string IdentityFormat);

/// <summary>An identity in a request (§5.3).</summary>
internal sealed record OpenDsrIdentity(
    [property: JsonPropertyName("identity_type")] string IdentityType,
    [property: JsonPropertyName("identity_value")] string IdentityValue,
    [property: JsonPropertyName("identity_format")] string IdentityFormat);

/// <summary>A controller's request (§7.1), as documented; the route verifies the raw body before reading it.</summary>
internal sealed record OpenDsrRequestDocument(
    [property: JsonPropertyName("regulation")] string Regulation,
    [property: JsonPropertyName("subject_request_id")] string SubjectRequestId,
    [property: JsonPropertyName("subject_request_type")] string SubjectRequestType,
    [property: JsonPropertyName("submitted_time")] DateTimeOffset SubmittedTime,
    [property: JsonPropertyName("subject_identities")] ImmutableArray<OpenDsrIdentity> SubjectIdentities,
    [property: JsonPropertyName("api_version")] string? ApiVersion = null,
    [property: JsonPropertyName("status_callback_urls")] ImmutableArray<string>? StatusCallbackUrls = null);

/// <summary>Our answer to a request (§7.3).</summary>
internal sealed record OpenDsrRequestAnswer(
    [property: JsonPropertyName("controller_id")] string ControllerId,
    [property: JsonPropertyName("expected_completion_time")] DateTimeOffset ExpectedCompletionTime,
    [property: JsonPropertyName("received_time")] DateTimeOffset ReceivedTime,
    [property: JsonPropertyName("encoded_request")] string EncodedRequest,
    [property: JsonPropertyName("subject_request_id")] string SubjectRequestId,
    [property: JsonPropertyName("processor_signature")] string ProcessorSignature);

/// <summary>A request's status (§8.3).</summary>
internal sealed record OpenDsrStatusDocument(
    [property: JsonPropertyName("controller_id")] string ControllerId,
    [property: JsonPropertyName("expected_completion_time")] DateTimeOffset ExpectedCompletionTime,
    [property: JsonPropertyName("subject_request_id")] string SubjectRequestId,
    [property: JsonPropertyName("request_status")] string RequestStatus,
    [property: JsonPropertyName("api_version")] string ApiVersion,
    [property: JsonPropertyName("results_url")] string? ResultsUrl = null,
    [property: JsonPropertyName("results_count")] int? ResultsCount = null);

/// <summary>The results of an access or portability request: the person's export, as <c>GET /v1/me</c> answers it (documented here by its top-level members).</summary>
internal sealed record OpenDsrResultsDocument(
    [property: JsonPropertyName("account")] JsonElement Account,
    [property: JsonPropertyName("clusters")] JsonElement Clusters,
    [property: JsonPropertyName("mail")] JsonElement? Mail);

/// <summary>Our answer to a cancellation (§9.2).</summary>
internal sealed record OpenDsrCancellationAnswer(
    [property: JsonPropertyName("controller_id")] string ControllerId,
    [property: JsonPropertyName("subject_request_id")] string SubjectRequestId,
    [property: JsonPropertyName("received_time")] DateTimeOffset ReceivedTime,
    [property: JsonPropertyName("api_version")] string ApiVersion,
    [property: JsonPropertyName("processor_signature")] string ProcessorSignature);

/// <summary>The spec's error response (§7.5).</summary>
internal sealed record OpenDsrErrorDocument([property: JsonPropertyName("error")] OpenDsrError Error);
