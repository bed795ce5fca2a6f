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

/// <summary>A request from a government or a lawsuit, as received.</summary>
/// <param name="RequestId">Its id (names the person's region).</param>
/// <param name="Authority">Who asks.</param>
/// <param name="Reference">Their reference.</param>
/// <param name="UserId">Whose data.</param>
/// <param name="Categories">What is asked for.</param>
/// <param name="GagUntil">Until when the law forbids telling the person, if at all.</param>
/// <param name="OfficerId">The officer who recorded it.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.LegalRequestReceipt")]
public sealed record LegalRequestReceipt(
    [property: Id(0)] string RequestId,
    [property: Id(1), UserContent] string Authority,
    [property: Id(2), UserContent] string Reference,
    [property: Id(3), PersonalData] string UserId,
    [property: Id(4)] ImmutableArray<DataCategory> Categories,
    [property: Id(5)] DateTimeOffset? GagUntil,
    [property: Id(6)] string OfficerId);

/// <summary>An officer's decision.</summary>
/// <param name="Kind">Disclose or reject.</param>
/// <param name="Rationale">The good-faith rationale (disclose) or the reasons (reject).</param>
/// <param name="DecidedAt">When.</param>
/// <param name="OfficerId">Who decided.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.LegalDecision")]
public sealed record LegalDecision(
    [property: Id(0)] LegalDecisionKind Kind,
    [property: Id(1), UserContent] string Rationale,
    [property: Id(2)] DateTimeOffset DecidedAt,
    [property: Id(3)] string OfficerId);

/// <summary>A legal request and where it stands.</summary>
/// <param name="Request">As received.</param>
/// <param name="ReceivedAt">When it was recorded.</param>
/// <param name="Status"><c>received</c> or <c>decided</c>.</param>
/// <param name="Decision">The decision, once made.</param>
/// <param name="GagUntil">The gag in force (possibly extended).</param>
/// <param name="DisclosureId">The disclosure made under it, if decided <c>disclose</c>.</param>
/// <param name="NotifiedAt">When the person was told; <c>null</c> until then.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.LegalRequestView")]
public sealed record LegalRequestView(
    [property: Id(0)] LegalRequestReceipt Request,
    [property: Id(1)] DateTimeOffset ReceivedAt,
    [property: Id(2)] string Status,
    [property: Id(3)] LegalDecision? Decision,
    [property: Id(4)] DateTimeOffset? GagUntil,
    [property: Id(5)] string? DisclosureId,
    [property: Id(6)] DateTimeOffset? NotifiedAt);

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

    /// <summary>Decides once: <c>disclose</c> makes a disclosure with basis <c>legal</c>; the person is told unless gagged.</summary>
    [Alias("Decide")]
    Task<(LegalCommandOutcome Outcome, LegalRequestView? View)> DecideAsync(LegalDecisionKind kind, string rationale, string officerId);

    /// <summary>Extends a running gag to a later end.</summary>
    [Alias("ExtendGag")]
    Task<(LegalCommandOutcome Outcome, LegalRequestView? View)> ExtendGagAsync(DateTimeOffset gagUntil, string officerId);

    /// <summary>Whether this request, decided <c>disclose</c>, authorises the disclosure <paramref name="disclosureId"/> of the subject keyed <paramref name="subjectKey"/>.</summary>
    [Alias("Authorises")]
    [AlwaysInterleave]
    Task<bool> AuthorisesAsync(string subjectKey, string disclosureId);
}

/// <summary>A person told about legal requests, and whose gagged ledger entries stay hidden while the gag runs.</summary>
[Alias("PrimeDirective.ILegalRequestSubject")]
public interface ILegalRequestSubject : IGrainWithStringKey
{
    /// <summary>Adds the notice about a legal request once (keyed by the request); <c>false</c> if the account is gone.</summary>
    [Alias("NotifyLegalRequest")]
    Task<bool> NotifyLegalRequestAsync(string requestId, [UserContent] string text);

    /// <summary>Keeps a disclosure's entry hidden from the person until <paramref name="until"/> (an extended gag).</summary>
    [Alias("HideDisclosure")]
    Task HideDisclosureAsync(string disclosureId, DateTimeOffset until);
}
