using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Receipts;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Interfaces.Sharing;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace PrimeDirective.Gateway.Requests;

/// <summary>
/// What we promise as signed documents (flattened JWS by our active Ed25519 key): a completed request's receipt, for the API
/// route and the Privacy Center's download alike, exactly as the API shows it; and a person's disclosure-ledger head. Each
/// payload names its <c>kind</c> and when it was signed.
/// </summary>
internal sealed class SignedReceipts(ReceiptKeyRing keys, IOptions<JsonOptions> json, TimeProvider clock)
{
    /// <summary>The JWS <c>typ</c> of a signed receipt.</summary>
    public const string Type = "prime-directive-receipt+json";

    /// <summary>The media type of a flattened JWS (RFC 7515 §9.2.1).</summary>
    public const string MediaType = "application/jose+json";

    /// <summary>The download's file name.</summary>
    public const string FileName = "receipt.json";

    /// <summary>The signed ledger head's file name.</summary>
    public const string LedgerHeadFileName = "disclosures-head.json";

    /// <summary>What a ledger holds before its first entry.</summary>
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>The signed receipt as UTF-8 JSON; <c>null</c> while the request has not completed (its receipt is not final).</summary>
    public byte[]? Sign(PrivacyRequestView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (view.Status != PrivacyRequestStatus.Completed)
        {
            return null;
        }

        return Signed(new ReceiptDocument(ReceiptDocument.ErasureReceipt, clock.GetUtcNow(), view));
    }

    /// <summary>
    /// The head of the account's disclosure ledger as the person may see it, signed: the longest run of its entries from
    /// the first that are all visible now and chained to each other, so an entry hidden by a running gag, and those after
    /// it, are left out (and so not betrayed by a count) until the gag ends. Its count and head are what the region's
    /// evidence row recorded after that entry.
    /// </summary>
    public byte[] SignLedgerHead(string account, ImmutableArray<DisclosureEntry> visible) =>
        Signed(new LedgerHeadDocument(LedgerHeadDocument.DisclosureLedgerHead, clock.GetUtcNow(), account, LedgerHead.Of(visible)));

    private byte[] Signed<T>(T document)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(document, json.Value.SerializerOptions.GetTypeInfo(typeof(T)));
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

/// <summary>What a signed ledger head's payload says: its kind, when we signed it, whose ledger, and its head.</summary>
/// <param name="Kind"><c>disclosure-ledger-head</c>.</param>
/// <param name="SignedAt">When it was signed.</param>
/// <param name="Account">The person's account id.</param>
/// <param name="Ledger">The ledger's first entries and the hash they end in.</param>
internal sealed record LedgerHeadDocument(string Kind, DateTimeOffset SignedAt, string Account, LedgerHead Ledger)
{
    public const string DisclosureLedgerHead = "disclosure-ledger-head";
}

/// <summary>A disclosure ledger's first <paramref name="Entries"/> entries, chained, end in <paramref name="Head"/>.</summary>
/// <param name="Entries">How many.</param>
/// <param name="Head">The last one's hash (64 zeros for none).</param>
/// <param name="LastEntryAt">When the last one was written; <c>null</c> for none.</param>
internal sealed record LedgerHead(int Entries, string Head, DateTimeOffset? LastEntryAt)
{
    /// <summary>The head of the entries of <paramref name="visible"/> that chain from the start without a gap.</summary>
    public static LedgerHead Of(ImmutableArray<DisclosureEntry> visible)
    {
        var chained = visible.Select((entry, index) => (entry, index))
            .TakeWhile(pair => pair.entry.PreviousHash == (pair.index == 0 ? SignedReceipts.Genesis : visible[pair.index - 1].Hash))
            .Select(pair => pair.entry)
            .ToList();
        return chained.Count == 0 ? new LedgerHead(0, SignedReceipts.Genesis, null) : new LedgerHead(chained.Count, chained[^1].Hash, chained[^1].At);
    }
}
