using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.Extensions.Options;
using PrimeDirective.Gateway.Application;
using PrimeDirective.Gateway.Sharing;
using PrimeDirective.Grains.Interfaces.Receipts;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Users;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace PrimeDirective.Gateway.Requests;

/// <summary>
/// What we promise as signed documents (flattened JWS by our active Ed25519 key): a completed request's receipt, for the API
/// route and the Privacy Center's download alike, exactly as the API shows it; a person's disclosure-ledger head; and the
/// notices a person got about legal requests for their data. Each payload names its <c>kind</c> and when it was signed.
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

    /// <summary>A signed legal-request notice's file name.</summary>
    public const string LegalNoticeFileName = "notice.json";

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

    /// <summary>
    /// The person's disclosure-ledger head, signed, for the route and the Privacy Center alike: unknown for an account we do
    /// not hold; a conflict (nothing signed) when the ledger does not verify against the region's evidence.
    /// </summary>
    public async Task<Outcome<byte[]>> LedgerHeadAsync(NamedSubject? subject, string account)
    {
        if (await SharingDesk.DisclosuresAsync(subject) is not { } visible ||
            await SharingDesk.VerifyAsync(subject) is not Outcome<ChainVerification>.Done(var verification))
        {
            return new Outcome<byte[]>.Unknown("account");
        }

        // We vouch only for a ledger whose chain and evidence agree, and whose visible head is the evidence's when nothing is hidden.
        var head = LedgerHead.Of(visible);
        return !verification.Valid || (head.Entries == verification.Entries && head.Head != verification.Head)
            ? new Outcome<byte[]>.Conflict(
                "ledger", "Your disclosure ledger does not agree with the region's evidence of it, so we do not sign it.", "The ledger does not verify.", "ledger-not-intact")
            : Outcome.Done(SignLedgerHead(account, visible));
    }

    /// <summary>
    /// The notice <paramref name="noticeId"/> about a legal request, as the account of <paramref name="account"/> keeps it,
    /// signed; unknown for any other id (another person's, another kind of notice, or one a running gag has not let us send yet).
    /// </summary>
    public async Task<Outcome<byte[]>> LegalNoticeAsync(IUserGrain user, string account, string noticeId)
    {
        ArgumentNullException.ThrowIfNull(user);
        var notice = LegalNoticeIds.Parse(noticeId) is not null && await user.GetAsync() is { } record
            ? record.Notifications.FirstOrDefault(known => known.Id == noticeId && known.Kind == LegalNoticeDocument.NotificationKind)
            : null;
        return notice is not null && LegalNoticeIds.Parse(notice.Id) is var (requestId, stage)
            ? Outcome.Done(Signed(new LegalNoticeDocument(
                LegalNoticeDocument.LegalRequestNotice, clock.GetUtcNow(), account, new SignedLegalNotice(notice.Id, requestId, stage, notice.At, notice.Text))))
            : new Outcome<byte[]>.Unknown("notice");
    }

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

/// <summary>What a signed legal-request notice's payload says: its kind, when we signed it, whose account, and the notice.</summary>
/// <param name="Kind"><c>legal-request-notice</c>.</param>
/// <param name="SignedAt">When it was signed.</param>
/// <param name="Account">The person's account id.</param>
/// <param name="Notice">The notice as the account keeps it.</param>
internal sealed record LegalNoticeDocument(string Kind, DateTimeOffset SignedAt, string Account, SignedLegalNotice Notice)
{
    public const string LegalRequestNotice = "legal-request-notice";

    /// <summary>The kind of a legal-request notice in the account's notifications.</summary>
    public const string NotificationKind = "legal-request";
}

/// <summary>A notice about a legal request: which, at what stage, when we sent it and what it said.</summary>
/// <param name="Id">Its id in the account (<c>GET /v1/me/notifications</c>).</param>
/// <param name="LegalRequestId">The legal request.</param>
/// <param name="Stage"><c>received</c> or <c>decided</c>.</param>
/// <param name="At">When it was sent.</param>
/// <param name="Text">What it said (who asked, their reference, for what, and what we decided).</param>
internal sealed record SignedLegalNotice(string Id, string LegalRequestId, string Stage, DateTimeOffset At, string Text);

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
