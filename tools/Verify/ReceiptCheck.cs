using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using NSec.Cryptography;

namespace PrimeDirective.Verify;

/// <summary>What checking a receipt found: verified or not, why not, and what a verified receipt proves.</summary>
/// <param name="Verified">Whether the signature holds for the receipt as it is, by a published key.</param>
/// <param name="Reason">Why it does not; <c>null</c> when verified.</param>
/// <param name="Facts">What it proves, one line each (empty when not verified).</param>
public sealed record Verdict(bool Verified, string? Reason, IReadOnlyList<string> Facts)
{
    /// <summary>A receipt that does not verify, for <paramref name="reason"/>.</summary>
    public static Verdict Refused(string reason) => new(false, reason, []);
}

/// <summary>
/// Checks a JWS (flattened JSON, or compact) signed with Ed25519 (RFC 8037, <c>alg</c> EdDSA) against a JWK set: the
/// key its <c>kid</c> names must be there, and the signature must hold over exactly its header and payload.
/// </summary>
public static class ReceiptCheck
{
    /// <summary>Checks <paramref name="receipt"/> (the receipt.json text) against <paramref name="keySet"/> (the keys.json text).</summary>
    public static Verdict Check(string receipt, string keySet)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        ArgumentNullException.ThrowIfNull(keySet);
        if (Parts(receipt) is not var (header, payload, signature))
        {
            return Verdict.Refused("not a signed receipt (expected a JWS: protected, payload, signature).");
        }

        if (Encoded(header) is not { } headerJson || Text(headerJson, "alg") is not { } alg || Text(headerJson, "kid") is not { } kid)
        {
            return Verdict.Refused("its protected header is not readable or names no alg or kid.");
        }

        if (alg != "EdDSA")
        {
            return Verdict.Refused($"alg {alg} is not EdDSA.");
        }

        if (Json(keySet) is not { } keys || !keys.TryGetProperty("keys", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return Verdict.Refused("the key set is not a JWK set.");
        }

        var jwk = list.EnumerateArray().FirstOrDefault(key => key.ValueKind == JsonValueKind.Object && Text(key, "kid") == kid);
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            return Verdict.Refused($"unknown kid {kid}: the key set holds no such key.");
        }

        if (Text(jwk, "kty") != "OKP" || Text(jwk, "crv") != "Ed25519" || Decode(Text(jwk, "x")) is not { Length: 32 } x ||
            !PublicKey.TryImport(SignatureAlgorithm.Ed25519, x, KeyBlobFormat.RawPublicKey, out var publicKey) || publicKey is null)
        {
            return Verdict.Refused($"kid {kid} is not an Ed25519 key in the key set.");
        }

        if (Decode(signature) is not { } signatureBytes ||
            !SignatureAlgorithm.Ed25519.Verify(publicKey, Encoding.ASCII.GetBytes(header + "." + payload), signatureBytes))
        {
            return Verdict.Refused($"bad signature: the receipt was altered after it was signed, or kid {kid} did not sign it.");
        }

        return Encoded(payload) is { } document
            ? new Verdict(true, null, Proves(document, kid))
            : Verdict.Refused("the signed payload is not JSON.");
    }

    /// <summary>Which receipt, which subject and key fingerprint (or which ledger head, or which legal-request notice), signed by which kid and when.</summary>
    private static List<string> Proves(JsonElement document, string kid)
    {
        var facts = new List<string>();
        var receipt = document.TryGetProperty("receipt", out var inner) && inner.ValueKind == JsonValueKind.Object ? inner : default;
        facts.Add($"what:      {Text(document, "kind") ?? "a signed document"}"
            + (receipt.ValueKind == JsonValueKind.Object ? $" of request {Text(receipt, "requestId")} ({Text(receipt, "kind")}, {Text(receipt, "status")}, completed {Text(receipt, "completedAt") ?? "-"})" : string.Empty));
        if (receipt.ValueKind == JsonValueKind.Object && receipt.TryGetProperty("receipts", out var erased) && erased.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in erased.EnumerateArray().Where(entry => entry.ValueKind == JsonValueKind.Object))
            {
                facts.Add($"erased:    {Text(entry, "subject")} in {Text(entry, "region")} at {Text(entry, "completedAt")}; "
                    + (Text(entry, "keyFingerprint") is { } fingerprint ? $"data key destroyed, fingerprint {fingerprint}" : "no data key fingerprint"));
            }
        }

        if (Text(document, "kind") == "disclosure-ledger-head" && document.TryGetProperty("ledger", out var ledger) && ledger.ValueKind == JsonValueKind.Object)
        {
            var entries = ledger.TryGetProperty("entries", out var count) && count.ValueKind == JsonValueKind.Number ? count.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture) : "?";
            facts.Add($"ledger:    account {Text(document, "account")}: its disclosure ledger's first {entries} entries end in head {Text(ledger, "head")}"
                + (Text(ledger, "lastEntryAt") is { } last ? $" (last written {last})" : " (no entry)"));
        }

        if (Text(document, "kind") == "legal-request-notice" && document.TryGetProperty("notice", out var notice) && notice.ValueKind == JsonValueKind.Object)
        {
            facts.Add($"notice:    account {Text(document, "account")} was told on {Text(notice, "at")} that legal request {Text(notice, "legalRequestId")} was {Text(notice, "stage")}");
            facts.Add($"it said:   {Text(notice, "text")}");
        }

        facts.Add($"signed by: kid {kid} (Ed25519) at {Text(document, "signedAt") ?? "an unstated time"}");
        return facts;
    }

    private static (string Header, string Payload, string Signature)? Parts(string receipt)
    {
        var trimmed = receipt.Trim();
        if (!trimmed.StartsWith('{'))
        {
            return trimmed.Split('.') is [var header, var payload, var signature] ? (header, payload, signature) : null;
        }

        return Json(trimmed) is { } flattened && Text(flattened, "protected") is { } h && Text(flattened, "payload") is { } p && Text(flattened, "signature") is { } s
            ? (h, p, s)
            : null;
    }

    /// <summary>A base64url member's JSON object.</summary>
    private static JsonElement? Encoded(string text) => Decode(text) is { } bytes ? Json(Encoding.UTF8.GetString(bytes)) : null;

    private static JsonElement? Json(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[]? Decode(string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
