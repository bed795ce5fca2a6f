using System.Collections.Immutable;
using System.Text.Json.Serialization;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Interfaces.Users;

/// <summary>A verified sign-up, as the email index hands it to the new account.</summary>
/// <param name="UserId">The account's id (URL-safe, names its region).</param>
/// <param name="Email">The verified, normalised address.</param>
/// <param name="Name">The name the person gave.</param>
/// <param name="BirthDate">The birth date the person gave.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.NewAccount")]
public sealed record NewAccount(
    [property: Id(0), PersonalData] string UserId,
    [property: Id(1), PersonalData] string Email,
    [property: Id(2), PersonalData] string Name,
    [property: Id(3), PersonalData] DateOnly BirthDate);

/// <summary>A correction of the profile; <c>null</c> fields stay as they are.</summary>
/// <param name="Name">The corrected name.</param>
/// <param name="BirthDate">The corrected birth date.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.ProfileCorrection")]
public sealed record ProfileCorrection(
    [property: Id(0), PersonalData] string? Name,
    [property: Id(1), PersonalData] DateOnly? BirthDate);

/// <summary>The profile after a correction, and whether the corrected birth date makes the person a child.</summary>
/// <param name="Profile">The corrected profile.</param>
/// <param name="UnderThirteen">Whether the account must now be erased (policy: we do not keep children's data).</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.CorrectionResult")]
public sealed record CorrectionResult(
    [property: Id(0)] UserProfile Profile,
    [property: Id(1)] bool UnderThirteen);

/// <summary>What became of an email change confirmation.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EmailChangeOutcome>))]
public enum EmailChangeOutcome
{
    /// <summary>The address changed, and the lookup index with it.</summary>
    [JsonStringEnumMemberName("changed")]
    Changed = 0,

    /// <summary>The code was wrong, expired or used up; nothing changed.</summary>
    [JsonStringEnumMemberName("invalid-code")]
    InvalidCode = 1,

    /// <summary>The account is not active.</summary>
    [JsonStringEnumMemberName("unknown")]
    Unknown = 2,
}

/// <summary>A person's profile: account data they gave us directly.</summary>
/// <param name="Name">Their name.</param>
/// <param name="Email">Their email address.</param>
/// <param name="BirthDate">Their birth date.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.UserProfile")]
public sealed record UserProfile(
    [property: Id(0), PersonalData] string Name,
    [property: Id(1), PersonalData] string Email,
    [property: Id(2), PersonalData] DateOnly BirthDate);

/// <summary>One grant or withdrawal of consent, kept as history.</summary>
/// <param name="Purpose">The purpose consented to or not.</param>
/// <param name="Granted">Granted or withdrawn.</param>
/// <param name="At">When.</param>
/// <param name="PolicyVersion">The policy version in force at the time.</param>
/// <param name="How"><c>null</c> for the person's choice; <c>continued-use</c> when they went on using the service under a new version.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.ConsentEvent")]
public sealed record ConsentEvent(
    [property: Id(0)] DataPurpose Purpose,
    [property: Id(1)] bool Granted,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] string PolicyVersion,
    [property: Id(4)] string? How = null);

/// <summary>The consent in force for one purpose, and on what basis.</summary>
/// <param name="Purpose">The purpose.</param>
/// <param name="Granted">Whether processing for it may happen.</param>
/// <param name="Basis"><c>consent</c>, <c>default</c> (not yet chosen) or <c>contract</c> (needed to provide the account).</param>
/// <param name="ChangedAt">When the person last chose; <c>null</c> if never.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.ConsentState")]
public sealed record ConsentState(
    [property: Id(0)] DataPurpose Purpose,
    [property: Id(1)] bool Granted,
    [property: Id(2)] string Basis,
    [property: Id(3)] DateTimeOffset? ChangedAt);

/// <summary>A cluster the person proved they run; its data stays in its own region.</summary>
/// <param name="ClusterId">The cluster's id.</param>
/// <param name="Region">The region the cluster's data lives in.</param>
/// <param name="LinkedAt">When it was linked.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.LinkedCluster")]
public sealed record LinkedCluster(
    [property: Id(0), PersonalData] string ClusterId,
    [property: Id(1)] string Region,
    [property: Id(2)] DateTimeOffset LinkedAt);

/// <summary>A privacy request about the account.</summary>
/// <param name="RequestId">The request's id.</param>
/// <param name="Kind">What was asked.</param>
/// <param name="SubmittedAt">When.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.RequestReference")]
public sealed record RequestReference(
    [property: Id(0)] string RequestId,
    [property: Id(1)] string Kind,
    [property: Id(2)] DateTimeOffset SubmittedAt);

/// <summary>A notice we sent the person.</summary>
/// <param name="Id">The notice's id.</param>
/// <param name="At">When.</param>
/// <param name="Kind">What it is about.</param>
/// <param name="Text">What it said.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.Notification")]
public sealed record Notification(
    [property: Id(0)] string Id,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string Kind,
    [property: Id(3)] string Text);

/// <summary>What was done to the account and why; pseudonymous: no name, email or address in it.</summary>
/// <param name="At">When.</param>
/// <param name="Action">What was done.</param>
/// <param name="Reason">Why.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.AuditEntry")]
public sealed record AuditEntry(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Action,
    [property: Id(2)] string Reason);

/// <summary>Everything held in a person's account.</summary>
/// <param name="UserId">The account's id.</param>
/// <param name="Region">The region its data lives in.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="Profile">Name, email and birth date.</param>
/// <param name="Items">The profile as held items, with category, source, purpose and expiry.</param>
/// <param name="Consents">The consent in force per purpose.</param>
/// <param name="ConsentHistory">Every grant and withdrawal.</param>
/// <param name="Clusters">Linked clusters.</param>
/// <param name="Requests">Privacy requests about the account.</param>
/// <param name="Notifications">Notices sent to the person.</param>
/// <param name="Disclosures">Who received the person's data, and why.</param>
/// <param name="Audit">What was done to the account and why.</param>
/// <param name="RetentionRules">How long what the account holds "while it lives" is kept: the dormant-account rule, with its dates.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.UserRecord")]
public sealed record UserRecord(
    [property: Id(0), PersonalData] string UserId,
    [property: Id(1)] string Region,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] UserProfile Profile,
    [property: Id(4)] ImmutableArray<HeldItem> Items,
    [property: Id(5)] ImmutableArray<ConsentState> Consents,
    [property: Id(6)] ImmutableArray<ConsentEvent> ConsentHistory,
    [property: Id(7)] ImmutableArray<LinkedCluster> Clusters,
    [property: Id(8)] ImmutableArray<RequestReference> Requests,
    [property: Id(9)] ImmutableArray<Notification> Notifications,
    [property: Id(10)] ImmutableArray<Notification> Disclosures,
    [property: Id(11)] ImmutableArray<AuditEntry> Audit,
    [property: Id(12)] ImmutableArray<RetentionRule>? RetentionRules = null);

/// <summary>What else an erasure must reach once the account is closed; grain keys only, no identifiers.</summary>
/// <param name="UserKey">The account's own grain key.</param>
/// <param name="EmailIndexKeys">Email index entries that point at the account.</param>
/// <param name="ClusterKeys">Linked clusters' grain keys, in whichever region they live.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.ErasurePlan")]
public sealed record ErasurePlan(
    [property: Id(0)] string UserKey,
    [property: Id(1)] ImmutableArray<string> EmailIndexKeys,
    [property: Id(2)] ImmutableArray<string> ClusterKeys);
