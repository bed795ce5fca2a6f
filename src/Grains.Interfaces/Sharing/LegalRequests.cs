using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Orleans.Concurrency;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Interfaces.Sharing;

/// <summary>What an officer decided about a legal request.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LegalDecisionKind>))]
public enum LegalDecisionKind
{
    /// <summary>A good-faith belief that the law requires the disclosure.</summary>
    [JsonStringEnumMemberName("disclose")]
    Disclose = 0,

    /// <summary>Refused, with reasons.</summary>
    [JsonStringEnumMemberName("reject")]
    Reject = 1,
}

/// <summary>Who a legal request comes from, as the public transparency report counts it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LegalAuthorityKind>))]
public enum LegalAuthorityKind
{
    /// <summary>Not said (requests recorded before the kind was asked for).</summary>
    [JsonStringEnumMemberName("other")]
    Other = 0,

    /// <summary>The police or another law-enforcement agency.</summary>
    [JsonStringEnumMemberName("law-enforcement")]
    LawEnforcement = 1,

    /// <summary>A court's order.</summary>
    [JsonStringEnumMemberName("court")]
    Court = 2,

    /// <summary>Another public authority (a regulator, a tax office).</summary>
    [JsonStringEnumMemberName("government")]
    Government = 3,

    /// <summary>A party to a lawsuit (a subpoena).</summary>
    [JsonStringEnumMemberName("private-party")]
    PrivateParty = 4,
}

/// <summary>A request from a government or a lawsuit, as received.</summary>
/// <param name="RequestId">Its id (names the person's region).</param>
/// <param name="Authority">Who asks.</param>
/// <param name="Reference">Their reference.</param>
/// <param name="UserId">Whose data; <c>null</c> once the person was erased (the link to them is destroyed with them).</param>
/// <param name="Categories">What is asked for.</param>
/// <param name="GagUntil">Until when the law forbids telling the person, if at all.</param>
/// <param name="OfficerId">The officer who recorded it.</param>
/// <param name="AuthorityKind">What kind of authority asks (counted, by kind only, in the transparency report).</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.LegalRequestReceipt")]
public sealed record LegalRequestReceipt(
    [property: Id(0)] string RequestId,
    [property: Id(1), UserContent] string Authority,
    [property: Id(2), UserContent] string Reference,
    [property: Id(3), PersonalData] string? UserId,
    [property: Id(4)] ImmutableArray<DataCategory> Categories,
    [property: Id(5)] DateTimeOffset? GagUntil,
    [property: Id(6)] string OfficerId,
    [property: Id(7)] LegalAuthorityKind AuthorityKind = LegalAuthorityKind.Other);

/// <summary>An officer's decision.</summary>
/// <param name="Kind">Disclose or reject.</param>
/// <param name="Rationale">The good-faith rationale (disclose) or the reasons (reject); <c>null</c> once the person was erased (free text may name them).</param>
/// <param name="DecidedAt">When.</param>
/// <param name="OfficerId">Who decided.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.LegalDecision")]
public sealed record LegalDecision(
    [property: Id(0)] LegalDecisionKind Kind,
    [property: Id(1), UserContent] string? Rationale,
    [property: Id(2)] DateTimeOffset DecidedAt,
    [property: Id(3)] string OfficerId);

/// <summary>A legal request and where it stands.</summary>
/// <param name="Request">As received.</param>
/// <param name="ReceivedAt">When it was recorded.</param>
/// <param name="Status"><c>received</c> or <c>decided</c>.</param>
/// <param name="Decision">The decision, once made.</param>
/// <param name="GagUntil">The gag in force (possibly extended).</param>
/// <param name="DisclosureId">The disclosure made under it, if decided <c>disclose</c>.</param>
/// <param name="NotifiedAt">When the person was told of the decision; <c>null</c> until then.</param>
/// <param name="ReceiptNotifiedAt">When the person was told that the request was received; <c>null</c> until then.</param>
/// <param name="SubjectErased">Set once the person was erased: the link to them is gone, the rest is kept as the law needs.</param>
/// <param name="PackageUrl">Only in the answer to a <c>disclose</c> decision, once: where the authority fetches the data (never stored).</param>
/// <param name="PackageExpiresAt">When that URL stops working.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.LegalRequestView")]
public sealed record LegalRequestView(
    [property: Id(0)] LegalRequestReceipt Request,
    [property: Id(1)] DateTimeOffset ReceivedAt,
    [property: Id(2)] string Status,
    [property: Id(3)] LegalDecision? Decision,
    [property: Id(4)] DateTimeOffset? GagUntil,
    [property: Id(5)] string? DisclosureId,
    [property: Id(6)] DateTimeOffset? NotifiedAt,
    [property: Id(7)] DateTimeOffset? ReceiptNotifiedAt = null,
    [property: Id(8)] LegalSubjectErasure? SubjectErased = null,
    [property: Id(9)] string? PackageUrl = null,
    [property: Id(10)] DateTimeOffset? PackageExpiresAt = null);

/// <summary>What a legal request keeps of its subject's erasure: when, and the proof recorded in the region's destruction ledger.</summary>
/// <param name="At">When the link to the person (and the decision's free-text rationale) was destroyed.</param>
/// <param name="ProofId">The destruction proof's id in the region's ledger (it names nobody).</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.LegalSubjectErasure")]
public sealed record LegalSubjectErasure(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string ProofId);

/// <summary>What a decision did: the outcome, the request, and for <c>disclose</c> the package's capability secret (handed out once, never stored).</summary>
/// <param name="Outcome">Done, or why not.</param>
/// <param name="View">The request.</param>
/// <param name="CapabilitySecret">The secret part of the package's URL, only in the answer that made the disclosure.</param>
/// <param name="CapabilityExpiresAt">When that URL stops working.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.LegalDecisionResult")]
public sealed record LegalDecisionResult(
    [property: Id(0)] LegalCommandOutcome Outcome,
    [property: Id(1)] LegalRequestView? View,
    [property: Id(2)] string? CapabilitySecret = null,
    [property: Id(3)] DateTimeOffset? CapabilityExpiresAt = null);

/// <summary>A notice to a person about a legal request for their data: kept in their account and sent by email, once.</summary>
/// <param name="NoticeId">Its id in the account (one per request and stage).</param>
/// <param name="RequestId">The legal request.</param>
/// <param name="Stage"><c>received</c> or <c>decided</c>.</param>
/// <param name="Title">The email's subject.</param>
/// <param name="Text">What it says.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.LegalRequestNotice")]
public sealed record LegalRequestNotice(
    [property: Id(0)] string NoticeId,
    [property: Id(1)] string RequestId,
    [property: Id(2)] string Stage,
    [property: Id(3), UserContent] string Title,
    [property: Id(4), UserContent] string Text);

/// <summary>What became of a command to a legal request.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LegalCommandOutcome>))]
public enum LegalCommandOutcome
{
    /// <summary>Done.</summary>
    [JsonStringEnumMemberName("done")]
    Done = 0,

    /// <summary>No such request.</summary>
    [JsonStringEnumMemberName("unknown")]
    Unknown = 1,

    /// <summary>Not possible in its state (already decided; a gag that ended or would be shortened).</summary>
    [JsonStringEnumMemberName("conflict")]
    Conflict = 2,

    /// <summary>The subject is gone or unknown.</summary>
    [JsonStringEnumMemberName("subject-unknown")]
    SubjectUnknown = 3,
}

/// <summary>A legal request, keyed <c>{region}/legal-{random}</c>: received, decided, the person told at once or when the gag ends.</summary>
[Alias("PrimeDirective.ILegalRequestGrain")]
public interface ILegalRequestGrain : IGrainWithStringKey
{
    /// <summary>Records the request once; a repeat changes nothing. With <paramref name="placeHold"/>, a legal hold is placed on the person too.</summary>
    /// <returns>The request; <c>null</c> if the person is unknown.</returns>
    [Alias("Receive")]
    Task<LegalRequestView?> ReceiveAsync(LegalRequestReceipt request, bool placeHold);

    /// <summary>The request; <c>null</c> if unknown.</summary>
    [Alias("Get")]
    [ReadOnly]
    Task<LegalRequestView?> GetAsync();

    /// <summary>
    /// Decides once: <c>disclose</c> makes a disclosure with basis <c>legal</c> whose package's capability secret is in
    /// this answer only; the person is told unless gagged.
    /// </summary>
    [Alias("DecideOnce")]
    Task<LegalDecisionResult> DecideAsync(LegalDecisionKind kind, string rationale, string officerId);

    /// <summary>Extends a running gag to a later end.</summary>
    [Alias("ExtendGag")]
    Task<(LegalCommandOutcome Outcome, LegalRequestView? View)> ExtendGagAsync(DateTimeOffset gagUntil, string officerId);

    /// <summary>Whether this request, decided <c>disclose</c>, authorises the disclosure <paramref name="disclosureId"/> of the subject keyed <paramref name="subjectKey"/>.</summary>
    [Alias("Authorises")]
    [AlwaysInterleave]
    Task<bool> AuthorisesAsync(string subjectKey, string disclosureId);

    /// <summary>Acts on the gag's end if it has come (tells the person, shows them what it hid); otherwise waits for it again. The gag timer's tick.</summary>
    [Alias("ActOnGag")]
    Task ActOnGagAsync();

    /// <summary>
    /// The person keyed <paramref name="subjectKey"/> is being erased: the link to them and the decision's rationale are
    /// destroyed, with a proof in the region's ledger; reference, authority, decision and dates stay. Interleaves: the
    /// erasing account awaits it and this request may be awaiting that account.
    /// </summary>
    [Alias("ForgetSubject")]
    [AlwaysInterleave]
    Task ForgetSubjectAsync(string subjectKey);
}

/// <summary>A person told about legal requests, and from whose views everything a gagged request caused stays hidden while the gag runs.</summary>
[Alias("PrimeDirective.ILegalRequestSubject")]
public interface ILegalRequestSubject : IGrainWithStringKey
{
    /// <summary>
    /// Remembers a legal request about the person (its link is destroyed with them) and its gag, or a gag's later end;
    /// <c>false</c> if the account is gone.
    /// </summary>
    [Alias("TrackLegalRequest")]
    Task<bool> TrackLegalRequestAsync(string requestId, DateTimeOffset? gagUntil);

    /// <summary>Adds a notice about a legal request once (keyed by its id) and emails it; <c>false</c> if the account is gone.</summary>
    [Alias("NotifyLegalRequestOnce")]
    Task<bool> NotifyLegalRequestAsync(LegalRequestNotice notice);

    /// <summary>A request's gag has ended: what it hid (audit entries, the hold) joins the person's views, once.</summary>
    [Alias("EndGag")]
    Task EndGagAsync(string requestId);

    /// <summary>Keeps a disclosure's entry hidden from the person until <paramref name="until"/> (an extended gag).</summary>
    [Alias("HideDisclosure")]
    Task HideDisclosureAsync(string disclosureId, DateTimeOffset until);
}
