using System.Collections.Immutable;
using System.Text.Json.Serialization;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Interfaces.Sharing;

/// <summary>The ground on which a subject's data may be handed to someone else (policy: "When do we share your information with others?").</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DisclosureBasis>))]
public enum DisclosureBasis
{
    /// <summary>The person granted <c>third-party-sharing</c>.</summary>
    [JsonStringEnumMemberName("consent")]
    Consent = 0,

    /// <summary>A processor under a current contract covering the categories, the purpose and the subject's region.</summary>
    [JsonStringEnumMemberName("processor")]
    Processor = 1,

    /// <summary>A legal request decided <c>disclose</c>; only through that request.</summary>
    [JsonStringEnumMemberName("legal")]
    Legal = 2,

    /// <summary>An officer's good-faith belief that it is needed to protect someone's rights, property or safety.</summary>
    [JsonStringEnumMemberName("harm-prevention")]
    HarmPrevention = 3,

    /// <summary>A recorded organisational change (restructuring, acquisition, bankruptcy) naming the successor.</summary>
    [JsonStringEnumMemberName("successor")]
    Successor = 4,
}

/// <summary>A processor's contract with us.</summary>
/// <param name="Reference">The contract's reference.</param>
/// <param name="SignedAt">When it was signed.</param>
/// <param name="ExpiresAt">When it ends; from then on the processor receives nothing.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.ProcessorContract")]
public sealed record ProcessorContract(
    [property: Id(0)] string Reference,
    [property: Id(1)] DateTimeOffset SignedAt,
    [property: Id(2)] DateTimeOffset ExpiresAt)
{
    /// <summary>Whether the contract is in force at <paramref name="now"/>.</summary>
    public bool IsCurrentAt(DateTimeOffset now) => SignedAt <= now && now < ExpiresAt;
}

/// <summary>A processor as officers see it: everything but its signing secret, which is never shown back.</summary>
/// <param name="ProcessorId">Its id (lower-case letters, digits, hyphens).</param>
/// <param name="Name">Its name.</param>
/// <param name="Purposes">The purposes it may receive data for.</param>
/// <param name="Categories">The categories it may receive.</param>
/// <param name="Regions">The subjects' regions whose data it may hold (a transfer out of a region must be listed here).</param>
/// <param name="Location">The region where it holds the data; a subject of another region is an international transfer.</param>
/// <param name="Contract">Its contract.</param>
/// <param name="Endpoint">Where packages are pushed (POST, signed).</param>
/// <param name="ErasureEndpoint">Where erasure requests are sent (OpenDSR-shaped, signed).</param>
/// <param name="UpdatedAt">When the registry entry last changed.</param>
/// <param name="OpenDsrDomain">Its OpenDSR domain (<c>X-OpenDSR-Processor-Domain</c>), for processors that speak OpenDSR with certificates.</param>
/// <param name="Certificate">Its OpenDSR certificate (PEM, CA-issued for <paramref name="OpenDsrDomain"/>): its signatures are checked against it.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.ProcessorView")]
public sealed record ProcessorView(
    [property: Id(0)] string ProcessorId,
    [property: Id(1)] string Name,
    [property: Id(2)] ImmutableArray<DataPurpose> Purposes,
    [property: Id(3)] ImmutableArray<DataCategory> Categories,
    [property: Id(4)] ImmutableArray<string> Regions,
    [property: Id(5)] string Location,
    [property: Id(6)] ProcessorContract Contract,
    [property: Id(7)] string Endpoint,
    [property: Id(8)] string ErasureEndpoint,
    [property: Id(9)] DateTimeOffset UpdatedAt,
    [property: Id(10)] string? OpenDsrDomain = null,
    [property: Id(11)] string? Certificate = null);

/// <summary>Where and how to reach a processor: its endpoints and the secret its messages are signed with (silo-internal).</summary>
/// <param name="Endpoint">Where packages are pushed.</param>
/// <param name="ErasureEndpoint">Where erasure requests go.</param>
/// <param name="Secret">The HMAC-SHA256 key (<c>X-PrimeDirective-Signature</c>); empty if it registered none.</param>
/// <param name="Contract">Its contract: a package is pushed only while it is current.</param>
/// <param name="Certificate">Its OpenDSR certificate (PEM), if it registered one: its answers must be signed with it.</param>
/// <param name="PreviousSecret">The secret it had before an officer replaced it, while the rotation's overlap lasts: messages are signed under both.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.ProcessorDelivery")]
public sealed record ProcessorDelivery(
    [property: Id(0)] string Endpoint,
    [property: Id(1)] string ErasureEndpoint,
    [property: Id(2)] string Secret,
    [property: Id(3)] ProcessorContract? Contract = null,
    [property: Id(4)] string? Certificate = null,
    [property: Id(5)] string? PreviousSecret = null);

/// <summary>A recorded organisational change that lets data pass to a successor or affiliate.</summary>
/// <param name="Kind"><c>restructuring</c>, <c>acquisition</c> or <c>bankruptcy</c>.</param>
/// <param name="Successor">The successor or affiliate it names.</param>
/// <param name="Reference">The record of the change (filing, deed, court reference).</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.OrganisationalChange")]
public sealed record OrganisationalChange(
    [property: Id(0)] string Kind,
    [property: Id(1)] string Successor,
    [property: Id(2)] string Reference);

/// <summary>An officer's order to disclose a subject's data, as the decision point receives it.</summary>
/// <param name="DisclosureId">Fresh id of the disclosure.</param>
/// <param name="Recipient">Who receives it (a processor's id for basis <c>processor</c>).</param>
/// <param name="Basis">The basis claimed.</param>
/// <param name="Categories">What is disclosed.</param>
/// <param name="Purpose">What for.</param>
/// <param name="Rationale">Why (a good-faith rationale for harm prevention and legal requests).</param>
/// <param name="Protects">For harm prevention: whose rights, property or safety (<c>the-person</c>, <c>other-users</c>, <c>prime-directive</c>, <c>the-public</c>).</param>
/// <param name="OfficerId">The officer ordering it.</param>
/// <param name="Processor">For basis <c>processor</c>: the registry's entry as read just before; <c>null</c> if unknown.</param>
/// <param name="Change">For basis <c>successor</c>: the organisational change.</param>
/// <param name="LegalRequestId">For basis <c>legal</c>: the decided request.</param>
/// <param name="LegalReference">For basis <c>legal</c>: the authority's reference.</param>
/// <param name="HiddenUntil">For basis <c>legal</c> under a gag: until when the entry is hidden from the person.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.DisclosureOrder")]
public sealed record DisclosureOrder(
    [property: Id(0)] string DisclosureId,
    [property: Id(1), UserContent] string Recipient,
    [property: Id(2)] DisclosureBasis Basis,
    [property: Id(3)] ImmutableArray<DataCategory> Categories,
    [property: Id(4)] DataPurpose Purpose,
    [property: Id(5), UserContent] string Rationale,
    [property: Id(6)] string? Protects,
    [property: Id(7)] string OfficerId,
    [property: Id(8)] ProcessorView? Processor,
    [property: Id(9)] OrganisationalChange? Change,
    [property: Id(10)] string? LegalRequestId,
    [property: Id(11), UserContent] string? LegalReference,
    [property: Id(12)] DateTimeOffset? HiddenUntil);

/// <summary>One disclosure in a subject's ledger; each entry carries the hash of the previous one.</summary>
/// <param name="DisclosureId">The disclosure's id.</param>
/// <param name="At">When.</param>
/// <param name="Recipient">Who received the data.</param>
/// <param name="Basis">On what basis.</param>
/// <param name="Categories">What was disclosed.</param>
/// <param name="Purpose">What for.</param>
/// <param name="Rationale">Why.</param>
/// <param name="LegalReference">The legal request's or organisational change's reference, if any.</param>
/// <param name="Delivery"><c>push</c> (to a processor) or <c>capability</c> (a URL valid for a limited time).</param>
/// <param name="InternationalTransfer">Whether the data left the subject's region.</param>
/// <param name="RecipientRegion">Where the recipient holds it, when known.</param>
/// <param name="HiddenUntil">Hidden from the person until then (a gag order); <c>null</c> if never hidden.</param>
/// <param name="PreviousHash">The previous entry's hash (64 zeros for the first).</param>
/// <param name="Hash">
/// The entry's seal over the previous hash and its fields: HMAC-SHA256 under ledger key <paramref name="KeyVersion"/>, or
/// plain SHA-256 for an entry written before the chain was keyed (<paramref name="KeyVersion"/> <c>null</c>).
/// </param>
/// <param name="KeyVersion">The ledger key that sealed the entry; <c>null</c> for an entry of the unkeyed chain (before version 1).</param>
/// <param name="Withheld">Items of the disclosed categories left out because they were collected for a purpose the order's is not compatible with.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.DisclosureEntry")]
public sealed record DisclosureEntry(
    [property: Id(0)] string DisclosureId,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2), UserContent] string Recipient,
    [property: Id(3)] DisclosureBasis Basis,
    [property: Id(4)] ImmutableArray<DataCategory> Categories,
    [property: Id(5)] DataPurpose Purpose,
    [property: Id(6), UserContent] string Rationale,
    [property: Id(7), UserContent] string? LegalReference,
    [property: Id(8)] string Delivery,
    [property: Id(9)] bool InternationalTransfer,
    [property: Id(10)] string? RecipientRegion,
    [property: Id(11)] DateTimeOffset? HiddenUntil,
    [property: Id(12)] string PreviousHash,
    [property: Id(13)] string Hash,
    [property: Id(14)] int? KeyVersion = null,
    [property: Id(15)] ImmutableArray<WithheldItems>? Withheld = null);

/// <summary>Items of a disclosed category that the package did not carry: their collection purpose is not compatible with the order's.</summary>
/// <param name="Category">The category.</param>
/// <param name="CollectedFor">What they were collected for.</param>
/// <param name="Count">How many were left out.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.WithheldItems")]
public sealed record WithheldItems(
    [property: Id(0)] DataCategory Category,
    [property: Id(1)] DataPurpose CollectedFor,
    [property: Id(2)] int Count);

/// <summary>What the decision point decided.</summary>
/// <param name="RefusedBasis">The basis that did not hold (the answer is refused); <c>null</c> when disclosed.</param>
/// <param name="Reason">Which condition of the basis failed (no personal data), or <c>null</c>.</param>
/// <param name="Entry">The ledger entry written, when disclosed.</param>
/// <param name="CapabilitySecret">For delivery <c>capability</c>: the secret part of the package's URL (shown once).</param>
/// <param name="CapabilityExpiresAt">When that URL stops working.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.DisclosureOutcome")]
public sealed record DisclosureOutcome(
    [property: Id(0)] DisclosureBasis? RefusedBasis,
    [property: Id(1)] string? Reason,
    [property: Id(2)] DisclosureEntry? Entry,
    [property: Id(3)] string? CapabilitySecret,
    [property: Id(4)] DateTimeOffset? CapabilityExpiresAt)
{
    /// <summary>A refusal naming the basis and the failed condition.</summary>
    public static DisclosureOutcome Refused(DisclosureBasis basis, string reason) => new(basis, reason, null, null, null);
}

/// <summary>The result of checking a subject's ledger chain against itself and against the region's evidence.</summary>
/// <param name="Entries">How many entries were checked.</param>
/// <param name="Valid">Whether every entry's seal and link hold, the head matches the last entry, and the evidence agrees.</param>
/// <param name="FirstBrokenIndex">The first entry (0-based) that fails, or <c>null</c>.</param>
/// <param name="Head">The hash the ledger's head records.</param>
/// <param name="Status">
/// <c>intact</c>; <c>tampered</c> (see <paramref name="Problem"/>); or, for a subject that is gone, <c>erased</c> or
/// <c>expired</c> when the evidence records its ledger's destruction (<paramref name="EvidenceEntries"/> entries).
/// </param>
/// <param name="EvidenceEntries">The entry count the region's evidence table records last; <c>null</c> if it records none.</param>
/// <param name="EvidenceHead">The head the evidence records last.</param>
/// <param name="Problem">
/// What failed: <c>entry-altered</c>, <c>head-mismatch</c>, <c>unknown-key-version</c>, <c>evidence-count-mismatch</c>,
/// <c>evidence-head-mismatch</c>, <c>evidence-forged</c>, <c>evidence-missing</c> or <c>ledger-missing</c>; <c>null</c> when valid.
/// </param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.ChainVerification")]
public sealed record ChainVerification(
    [property: Id(0)] int Entries,
    [property: Id(1)] bool Valid,
    [property: Id(2)] int? FirstBrokenIndex,
    [property: Id(3)] string Head,
    [property: Id(4)] string Status = "intact",
    [property: Id(5)] int? EvidenceEntries = null,
    [property: Id(6)] string? EvidenceHead = null,
    [property: Id(7)] string? Problem = null);

/// <summary>A disclosure's data package, handed by the subject to the package grain that delivers or serves it.</summary>
/// <param name="DisclosureId">The disclosure.</param>
/// <param name="Json">The package (the subject's data of the disclosed categories, like the export).</param>
/// <param name="ProcessorId">For a push: the processor; <c>null</c> for a capability URL.</param>
/// <param name="ExpiresAt">For a capability URL: when it stops working and the package is destroyed.</param>
/// <param name="Subject">The subject's grain id (its key is pseudonymous): a push asks it before every attempt whether its data may still leave.</param>
/// <param name="GiveUpAt">For a push: when it stops being retried and is destroyed undelivered.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.DisclosurePackage")]
public sealed record DisclosurePackage(
    [property: Id(0)] string DisclosureId,
    [property: Id(1), PersonalData] string Json,
    [property: Id(2)] string? ProcessorId,
    [property: Id(3)] DateTimeOffset? ExpiresAt,
    [property: Id(4)] string? Subject = null,
    [property: Id(5)] DateTimeOffset? GiveUpAt = null);

/// <summary>One of a subject's disclosure packages, as its erasure finds it.</summary>
/// <param name="Key">The package grain's key.</param>
/// <param name="Hidden">Whether its disclosure is hidden from the person now (a running gag): destroyed all the same, but counted nowhere the person sees.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.SubjectPackage")]
public sealed record SubjectPackage(
    [property: Id(0)] string Key,
    [property: Id(1)] bool Hidden);

/// <summary>Where a package stands.</summary>
/// <param name="Attempts">Push attempts made.</param>
/// <param name="DeliveredAt">When the processor acknowledged it.</param>
/// <param name="ExpiresAt">When a capability package stops working.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.PackageStatus")]
public sealed record PackageStatus(
    [property: Id(0)] int Attempts,
    [property: Id(1)] DateTimeOffset? DeliveredAt,
    [property: Id(2)] DateTimeOffset? ExpiresAt);

/// <summary>
/// A disclosure package as its recipient receives it (pushed, or at its capability URL): what the disclosure is, and the
/// subject's items of the disclosed categories whose collection purpose is compatible with the disclosure's, as in the export.
/// </summary>
/// <param name="DisclosureId">The disclosure (its ledger entry).</param>
/// <param name="DisclosedAt">When it was decided.</param>
/// <param name="Subject">What kind of subject, and its region (never an identifier beyond the items themselves).</param>
/// <param name="Recipient">Who receives it.</param>
/// <param name="Basis">On what basis.</param>
/// <param name="Categories">The categories disclosed.</param>
/// <param name="Purpose">What for.</param>
/// <param name="Items">The items.</param>
/// <param name="Withheld">Items of those categories left out: collected for a purpose the disclosure's is not compatible with.</param>
public sealed record DisclosurePackageDocument(
    string DisclosureId,
    DateTimeOffset DisclosedAt,
    PackageSubject Subject,
    string Recipient,
    DisclosureBasis Basis,
    ImmutableArray<DataCategory> Categories,
    DataPurpose Purpose,
    ImmutableArray<HeldItem> Items,
    ImmutableArray<WithheldItems> Withheld);

/// <summary>Whose package it is, without naming them.</summary>
/// <param name="Kind"><c>person</c> or <c>cluster</c>.</param>
/// <param name="Region">The subject's region.</param>
public sealed record PackageSubject(string Kind, string Region);
