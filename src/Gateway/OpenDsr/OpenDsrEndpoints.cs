using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Grains.Interfaces.OpenDsr;
using PrimeDirective.Grains.Interfaces.Receipts;

namespace PrimeDirective.Gateway.OpenDsr;

/// <summary>
/// OpenDSR 2.0 on our side as a controller: our published keys, our certificate, and the status callbacks processors
/// send about our erasure requests, authenticated as the specification's security guidelines say (202 / 401 / 400).
/// </summary>
internal static class OpenDsrEndpoints
{
    public const string KeysPath = "/.well-known/prime-directive/keys.json";

    public const string CertificatePath = "/opendsr/v2/certificate.pem";

    public static IEndpointRouteBuilder MapOpenDsrEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(KeysPath, (OpenDsrKeyRing ring, ReceiptKeyRing receipts) => TypedResults.Ok(JwkSet.Of(ring, receipts))).AllowAnonymous().WithTags("Keys")
            .WithSummary("Our public signing keys as a JWK set (kid per version): OpenDSR's P-256 certificate keys and the Ed25519 keys that sign receipts.");
        routes.MapGet(CertificatePath, Certificate).AllowAnonymous().WithTags("OpenDSR")
            .Produces<string>(StatusCodes.Status200OK, "application/x-pem-file").ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Our active OpenDSR certificate with its chain (PEM): processors verify our signatures with it.");
        routes.MapPost("/opendsr/v2/callbacks/{requestId}", CallbackAsync).AllowAnonymous().WithTags("OpenDSR")
            .Accepts<OpenDsrCallbackDocument>("application/json")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A processor's signed status callback about our erasure request: 202 once verified and recorded, 401 for an unknown domain or certificate, 400 for a bad signature or body.");
        return routes.MapOpenDsrProcessorEndpoints();
    }

    private static Results<ContentHttpResult, ProblemHttpResult> Certificate(OpenDsrKeyRing ring) =>
        ring.Active is { } key ? TypedResults.Content(key.ChainPem, "application/x-pem-file") : Problems.NotFound("OpenDSR certificate");

    /// <summary>The callback's headers and raw body go to the desk, which verifies before anything is read or recorded.</summary>
    private static async Task<Results<Accepted, ProblemHttpResult>> CallbackAsync(string requestId, HttpContext context, OpenDsrDesk desk)
    {
        var headers = context.Request.Headers;
        using var buffered = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffered, context.RequestAborted);
        var answer = await desk.ReceiveCallbackAsync(
            requestId, First(headers, OpenDsrNames.DomainHeader, OpenDsrNames.LegacyDomainHeader), First(headers, OpenDsrNames.SignatureHeader, OpenDsrNames.LegacySignatureHeader), buffered.ToArray());
        return answer.Error is { } error ? Error(answer.Status, error) : TypedResults.Accepted((string?)null);
    }

    private static string? First(IHeaderDictionary headers, string name, string legacy) =>
        headers.TryGetValue(name, out var value) || headers.TryGetValue(legacy, out value) ? value.ToString() : null;

    /// <summary>An OpenDSR error as a problem document that also carries the specification's <c>error</c> object (§7.6).</summary>
    private static ProblemHttpResult Error(int status, string message) => TypedResults.Problem(
        detail: message,
        statusCode: status,
        title: status == StatusCodes.Status401Unauthorized ? "Not authenticated." : status == StatusCodes.Status404NotFound ? "Not found." : "The request is malformed.",
        type: Problems.TypePrefix + (status == StatusCodes.Status401Unauthorized ? "unauthorized" : status == StatusCodes.Status404NotFound ? "not-found" : "invalid-request"),
        extensions: new Dictionary<string, object?> { ["error"] = new OpenDsrError(status, message) });

    private static string Wire(CertificateVerdict verdict) => verdict switch
    {
        CertificateVerdict.SelfSigned => "self-signed",
        CertificateVerdict.WrongDomain => "wrong-domain",
        CertificateVerdict.WeakKey => "weak-key",
        _ => verdict.ToString().ToLowerInvariant(),
    };

    /// <summary>The wire name of a certificate verdict (also used by the registry's validation).</summary>
    public static string VerdictName(CertificateVerdict verdict) => Wire(verdict);
}

/// <summary>The OpenDSR error object (§7.6).</summary>
internal sealed record OpenDsrError(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("message")] string Message);

/// <summary>An OpenDSR status callback (§8.6), as documented; the route verifies the raw body before reading these fields.</summary>
internal sealed record OpenDsrCallbackDocument(
    [property: JsonPropertyName("controller_id")] string ControllerId,
    [property: JsonPropertyName("expected_completion_time")] DateTimeOffset ExpectedCompletionTime,
    [property: JsonPropertyName("status_callback_url")] string StatusCallbackUrl,
    [property: JsonPropertyName("subject_request_id")] string SubjectRequestId,
    [property: JsonPropertyName("request_status")] string RequestStatus,
    [property: JsonPropertyName("results_url")] string? ResultsUrl = null,
    [property: JsonPropertyName("results_count")] int? ResultsCount = null);

/// <summary>A JWK set (RFC 7517): every published key version.</summary>
internal sealed record JwkSet([property: JsonPropertyName("keys")] ImmutableArray<Jwk> Keys)
{
    public static JwkSet Of(OpenDsrKeyRing ring, ReceiptKeyRing receipts) => new([.. ring.Keys.Select(Jwk.Of), .. receipts.Keys.Select(Jwk.Of)]);
}

/// <summary>One public key (RFC 7517/7518/8037): an EC P-256 key with its certificate chain, or an Ed25519 (OKP) key.</summary>
internal sealed record Jwk(
    [property: JsonPropertyName("kty")] string Kty,
    [property: JsonPropertyName("crv")] string Crv,
    [property: JsonPropertyName("x")] string X,
    [property: JsonPropertyName("y"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Y,
    [property: JsonPropertyName("kid")] string Kid,
    [property: JsonPropertyName("use")] string Use,
    [property: JsonPropertyName("alg")] string Alg,
    [property: JsonPropertyName("x5c"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ImmutableArray<string>? X5c = null)
{
    /// <summary>An Ed25519 receipt key (RFC 8037): <c>kty</c> OKP, <c>alg</c> EdDSA.</summary>
    public static Jwk Of(ReceiptKey key) => new("OKP", "Ed25519", Base64Url.Encode(key.PublicKey), null, key.Id, "sig", "EdDSA");

    public static Jwk Of(OpenDsrKey key)
    {
        var point = key.PrivateKey.ExportParameters(includePrivateParameters: false).Q;
        return new Jwk("EC", "P-256", Base64Url.Encode(point.X!), Base64Url.Encode(point.Y!), key.Id, "sig", "ES256",
            [.. key.Chain.Select(certificate => Convert.ToBase64String(certificate.RawData))]);
    }

}

/// <summary>OpenDSR's JSON, source-generated.</summary>
[JsonSerializable(typeof(JwkSet))]
[JsonSerializable(typeof(OpenDsrError))]
[JsonSerializable(typeof(OpenDsrCallbackDocument))]
[JsonSerializable(typeof(OpenDsrDiscoveryDocument))]
[JsonSerializable(typeof(OpenDsrRequestDocument))]
[JsonSerializable(typeof(OpenDsrRequestAnswer))]
[JsonSerializable(typeof(OpenDsrStatusDocument))]
[JsonSerializable(typeof(OpenDsrCancellationAnswer))]
[JsonSerializable(typeof(OpenDsrErrorDocument))]
[JsonSerializable(typeof(OpenDsrControllerBody))]
[JsonSerializable(typeof(OpenDsrControllerView))]
[JsonSerializable(typeof(ImmutableArray<OpenDsrControllerView>))]
internal sealed partial class OpenDsrJson : JsonSerializerContext;
