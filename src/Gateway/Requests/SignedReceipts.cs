using System.Text.Json;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Receipts;
using PrimeDirective.Grains.Interfaces.Requests;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace PrimeDirective.Gateway.Requests;

/// <summary>
/// A completed request's receipt as a signed document (flattened JWS by our active Ed25519 key), for the API route and the
/// Privacy Center's download alike. The payload is the receipt exactly as the API shows it, with when it was signed.
/// </summary>
internal sealed class SignedReceipts(ReceiptKeyRing keys, IOptions<JsonOptions> json, TimeProvider clock)
{
    /// <summary>The JWS <c>typ</c> of a signed receipt.</summary>
    public const string Type = "prime-directive-receipt+json";

    /// <summary>The media type of a flattened JWS (RFC 7515 §9.2.1).</summary>
    public const string MediaType = "application/jose+json";

    /// <summary>The download's file name.</summary>
    public const string FileName = "receipt.json";

    /// <summary>The signed receipt as UTF-8 JSON; <c>null</c> while the request has not completed (its receipt is not final).</summary>
    public byte[]? Sign(PrivacyRequestView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (view.Status != PrivacyRequestStatus.Completed)
        {
            return null;
        }

        var document = new ReceiptDocument(ReceiptDocument.ErasureReceipt, clock.GetUtcNow(), view);
        var payload = JsonSerializer.SerializeToUtf8Bytes(document, json.Value.SerializerOptions.GetTypeInfo(typeof(ReceiptDocument)));
        return JsonSerializer.SerializeToUtf8Bytes(keys.Sign(payload, Type), RequestJson.Default.Jws);
    }
}

/// <summary>What a signed receipt's payload says: its kind, when we signed it, and the receipt as the API shows it.</summary>
/// <param name="Kind"><c>erasure-receipt</c>.</param>
/// <param name="SignedAt">When it was signed.</param>
/// <param name="Receipt">The request and its receipts (each naming its destroyed key's fingerprint, if any).</param>
internal sealed record ReceiptDocument(string Kind, DateTimeOffset SignedAt, PrivacyRequestView Receipt)
{
    public const string ErasureReceipt = "erasure-receipt";
}
