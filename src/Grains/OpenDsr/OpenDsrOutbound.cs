using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.OpenDsr;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Sharing;

namespace PrimeDirective.Grains.OpenDsr;

/// <summary>
/// Our side as an OpenDSR 2.0 controller: composes each request with every required field, reads the processor's
/// <c>discovery</c> (cached) before the first request to send identities in a format it supports, signs with our
/// certificate's key, and keeps the processor's signed answer as evidence (never its <c>encoded_request</c>).
/// </summary>
public sealed class OpenDsrOutbound(SharingHttp http, OpenDsrKeyRing keys, IOptions<OpenDsrOptions> options, TimeProvider pacing)
{
    /// <summary>How long a processor's discovery document is trusted before it is fetched again.</summary>
    public static readonly TimeSpan DiscoveryLifetime = TimeSpan.FromHours(1);

    // Formats we can produce, best first: raw only if the processor takes it, else a hash of the raw value.
    private static readonly string[] s_formats = ["raw", "sha256", "sha1", "md5"];

    private readonly ConcurrentDictionary<string, (DateTimeOffset FetchedAt, Discovery Document)> _discoveries = new(StringComparer.Ordinal);

    /// <summary>
    /// The erasure request for <paramref name="identities"/>, identities raw until the processor's discovery is known;
    /// submitted at <paramref name="submittedAt"/> (when the person asked), calling back about <paramref name="requestId"/>.
    /// </summary>
    public (string SubjectRequestId, string Body) Compose(ImmutableArray<SubjectIdentity> identities, DateTimeOffset submittedAt, string requestId)
    {
        var subjectRequestId = Guid.NewGuid().ToString("D");
        var body = new JsonObject
        {
            ["regulation"] = options.Value.Regulation,
            ["subject_request_id"] = subjectRequestId,
            ["subject_request_type"] = "erasure",
            ["subject_identities"] = new JsonArray([.. identities.Select(identity => (JsonNode)new JsonObject
            {
                ["identity_type"] = IdentityType(identity.Type),
                ["identity_value"] = identity.Value,
                ["identity_format"] = "raw",
            })]),
            ["submitted_time"] = submittedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["api_version"] = OpenDsrNames.ApiVersion,
        };
        if (CallbackUrl(requestId) is { } callback)
        {
            body["status_callback_urls"] = new JsonArray(callback);
        }

        return (subjectRequestId, body.ToJsonString());
    }

    /// <summary>Our callback URL for <paramref name="requestId"/>; <c>null</c> without <c>OpenDsr:PublicBaseUrl</c>.</summary>
    public string? CallbackUrl(string requestId) => OpenDsrNames.CallbackUrl(options.Value, requestId);

    /// <summary>
    /// Sends <paramref name="body"/> to the processor; unless <paramref name="adapted"/>, its identities are first put in
    /// formats the processor's discovery lists. The body sent is answered back, so every retry sends the same bytes.
    /// </summary>
    public async Task<OpenDsrSent> SendAsync(ProcessorDelivery delivery, string body, bool adapted)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var sent = body;
        if (!adapted)
        {
            if (await DiscoverAsync(DiscoveryUrl(delivery.ErasureEndpoint)) is not { } discovery)
            {
                return new OpenDsrSent(null, false, null, null, null);
            }

            if (!discovery.RequestTypes.Contains("erasure"))
            {
                return new OpenDsrSent(null, false, null, null, "erasure-not-supported");
            }

            if (Adapt(body, discovery) is not { } fitted)
            {
                return new OpenDsrSent(null, false, null, null, "no-supported-identity");
            }

            sent = fitted;
        }

        var bytes = Encoding.UTF8.GetBytes(sent);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (keys.Sign(bytes) is { } signature)
        {
            headers[OpenDsrNames.SignatureHeader] = signature;
        }

        if (keys.Domain is { Length: > 0 } domain)
        {
            headers[OpenDsrNames.DomainHeader] = domain;
        }

        if (delivery.Secret is { Length: > 0 })
        {
            headers[Signatures.PackageHeader] = Signatures.For(delivery, bytes);
        }

        var answer = await http.SendAsync(HttpMethod.Post, delivery.ErasureEndpoint, bytes, headers);
        if (answer is not { Status: >= 200 and < 300 })
        {
            return new OpenDsrSent(answer?.Status, false, sent, null, null);
        }

        var evidence = Evidence(answer, bytes, delivery.Certificate);
        // A processor that registered a certificate must sign its answer with it; an unsigned answer is no acknowledgement.
        var acknowledged = delivery.Certificate is null || evidence.SignatureVerified;
        return new OpenDsrSent(answer.Status, acknowledged, sent, evidence, null);
    }

    /// <summary>The processor's discovery URL: the sibling <c>discovery</c> of its requests URL.</summary>
    public static string DiscoveryUrl(string requestsUrl) => new Uri(new Uri(requestsUrl), "discovery").ToString();

    private async Task<Discovery?> DiscoverAsync(string url)
    {
        var now = pacing.GetUtcNow();
        if (_discoveries.TryGetValue(url, out var cached) && cached.FetchedAt + DiscoveryLifetime > now)
        {
            return cached.Document;
        }

        var answer = await http.SendAsync(HttpMethod.Get, url, null, new Dictionary<string, string> { ["Accept"] = "application/json" });
        if (answer is not { Status: 200 } || Discovery.Parse(answer.Body) is not { } document)
        {
            return null;
        }

        _discoveries[url] = (now, document);
        return document;
    }

    /// <summary>The body with each identity in the best format the processor supports for its type, those it supports none for left out; <c>null</c> if none is left.</summary>
    private static string? Adapt(string body, Discovery discovery)
    {
        var request = JsonNode.Parse(body)!.AsObject();
        var fitted = new JsonArray();
        foreach (var identity in request["subject_identities"]!.AsArray())
        {
            var type = (string)identity!["identity_type"]!;
            var value = (string)identity["identity_value"]!;
            if (s_formats.FirstOrDefault(format => discovery.Identities.Contains((type, format))) is { } format)
            {
                fitted.Add(new JsonObject { ["identity_type"] = type, ["identity_value"] = Format(value, format), ["identity_format"] = format });
            }
        }

        if (fitted.Count == 0)
        {
            return null;
        }

        request["subject_identities"] = fitted;
        return request.ToJsonString();
    }

    private static string Format(string value, string format)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        return format switch
        {
            "sha256" => Convert.ToHexStringLower(SHA256.HashData(bytes)),
#pragma warning disable CA5350, CA5351 // The processor asked for these formats (OpenDSR §5.2); they only name an identity it already holds.
            "sha1" => Convert.ToHexStringLower(SHA1.HashData(bytes)),
            "md5" => Convert.ToHexStringLower(MD5.HashData(bytes)),
#pragma warning restore CA5350, CA5351
            _ => value,
        };
    }

    private static OpenDsrEvidence Evidence(HttpAnswer answer, byte[] sent, string? certificate)
    {
        var headerSignature = answer.Headers.GetValueOrDefault(OpenDsrNames.SignatureHeader) ?? answer.Headers.GetValueOrDefault(OpenDsrNames.LegacySignatureHeader);
        var domain = answer.Headers.GetValueOrDefault(OpenDsrNames.DomainHeader) ?? answer.Headers.GetValueOrDefault(OpenDsrNames.LegacyDomainHeader);
        JsonObject? fields = null;
        try
        {
            fields = JsonNode.Parse(answer.Body) as JsonObject;
        }
        catch (JsonException)
        {
        }

        // Only the named fields are read: encoded_request (the identities we sent) is never kept.
        var bodySignature = Text(fields, "processor_signature");
        var signature = headerSignature ?? bodySignature;
        var verified = certificate is not null && CertificateTrust.Verifies(certificate, answer.Body, headerSignature);
        return new OpenDsrEvidence(
            Text(fields, "subject_request_id") ?? string.Empty,
            Convert.ToHexStringLower(SHA256.HashData(sent)),
            domain,
            signature,
            verified,
            Text(fields, "controller_id"),
            Time(fields, "received_time"),
            Time(fields, "expected_completion_time"));
    }

    private static string? Text(JsonObject? fields, string name) =>
        fields?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text[..Math.Min(text.Length, 1024)] : null;

    private static DateTimeOffset? Time(JsonObject? fields, string name) => IsoInstant.Parse(Text(fields, name));

    /// <summary>Our identity types in OpenDSR's names (§5.1): our user and cluster ids are the controller's customer ids.</summary>
    private static string IdentityType(string ours) => ours switch
    {
        "email" => "email",
        _ => "controller_customer_id",
    };

    /// <summary>A processor's discovery: the request types and (type, format) identity pairs it supports.</summary>
    private sealed record Discovery(ImmutableHashSet<string> RequestTypes, ImmutableHashSet<(string Type, string Format)> Identities)
    {
        public static Discovery? Parse(byte[] body)
        {
            try
            {
                if (JsonNode.Parse(body) is not JsonObject document ||
                    document["supported_subject_request_types"] is not JsonArray types || document["supported_identities"] is not JsonArray identities)
                {
                    return null;
                }

                return new Discovery(
                    [.. types.Select(type => type?.GetValue<string>() ?? string.Empty)],
                    [.. identities.OfType<JsonObject>().Select(pair => ((string?)pair["identity_type"] ?? string.Empty, (string?)pair["identity_format"] ?? string.Empty))]);
            }
            catch (Exception exception) when (exception is JsonException or InvalidOperationException or FormatException)
            {
                return null;
            }
        }
    }
}

/// <summary>The outcome of one attempt: the status answered (<c>null</c> if none), whether it acknowledged, the body sent, the evidence of a 2xx, and a refusal that no retry can fix.</summary>
public sealed record OpenDsrSent(int? Status, bool Acknowledged, string? Body, OpenDsrEvidence? Evidence, string? Refusal);
