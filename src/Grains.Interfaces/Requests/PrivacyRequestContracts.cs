using System.Collections.Immutable;
using System.Text.Json.Serialization;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Interfaces.Requests;

/// <summary>Where a privacy request stands.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PrivacyRequestStatus>))]
public enum PrivacyRequestStatus
{
    /// <summary>Persisted; execution has not started.</summary>
    [JsonStringEnumMemberName("accepted")]
    Accepted = 0,

    /// <summary>Being executed step by step.</summary>
    [JsonStringEnumMemberName("in-progress")]
    InProgress = 1,

    /// <summary>Deferred by a legal hold on its subject.</summary>
    [JsonStringEnumMemberName("on-hold")]
    OnHold = 2,

    /// <summary>Waiting for a privacy officer's decision.</summary>
    [JsonStringEnumMemberName("awaiting-review")]
    AwaitingReview = 3,

    /// <summary>Done; the receipt says what was erased, where and when.</summary>
    [JsonStringEnumMemberName("completed")]
    Completed = 4,

    /// <summary>An officer declined it.</summary>
    [JsonStringEnumMemberName("rejected")]
    Rejected = 5,

    /// <summary>A child-removal request nobody decided within its lifetime: closed, the parent told, their details destroyed.</summary>
    [JsonStringEnumMemberName("expired")]
    Expired = 6,
}

/// <summary>The erasure of an account, as submitted.</summary>
/// <param name="UserKey">The account's grain key (pseudonymous).</param>
/// <param name="CapabilityHash">SHA-256 of the capability secret that lets its holder read the request.</param>
/// <param name="Reason">Why: <c>person-request</c>, <c>under-13</c>, <c>child-removal</c>.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.ErasureSubmission")]
public sealed record ErasureSubmission(
    [property: Id(0)] string UserKey,
    [property: Id(1)] string CapabilityHash,
    [property: Id(2)] string Reason);

/// <summary>The erasure of a cluster, as its operator submitted it (the cluster already recorded the request id).</summary>
/// <param name="ClusterKey">The cluster's grain key (pseudonymous).</param>
/// <param name="CapabilityHash">SHA-256 of the capability secret that lets its holder read the request.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.ClusterErasureSubmission")]
public sealed record ClusterErasureSubmission(
    [property: Id(0)] string ClusterKey,
    [property: Id(1)] string CapabilityHash);

/// <summary>A parent's request to remove a child's data.</summary>
/// <param name="ChildEmailIndexKey">The email index key of the child's address (never the address).</param>
/// <param name="ParentName">The parent's name.</param>
/// <param name="ParentEmail">The parent's address, for our answer.</param>
/// <param name="Statement">What the parent told us.</param>
/// <param name="CapabilityHash">SHA-256 of the capability secret that lets the parent read the request.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.ChildRemovalSubmission")]
public sealed record ChildRemovalSubmission(
    [property: Id(0)] string ChildEmailIndexKey,
    [property: Id(1), PersonalData] string ParentName,
    [property: Id(2), PersonalData] string ParentEmail,
    [property: Id(3), UserContent] string Statement,
    [property: Id(4)] string CapabilityHash);

/// <summary>A privacy request as its holder sees it: no personal data.</summary>
/// <param name="RequestId">The request's id.</param>
/// <param name="Kind"><c>erasure</c> or <c>child-removal</c>.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="SubmittedAt">When it was accepted.</param>
/// <param name="CompletedAt">When it completed or was decided, if it has.</param>
/// <param name="Receipts">What was erased, per subject and region (<c>disclosure-packages</c>: the subject's packages that still held data).</param>
/// <param name="Propagated">
/// For an erasure of data processors received: <c>pending</c> while any is still asked, then <c>acknowledged</c>, or
/// <c>abandoned</c> if any did not answer within the propagation lifetime.
/// </param>
/// <param name="Processors">Each processor told of the erasure, and its answer.</param>
/// <param name="ExpiresAt">A child-removal request awaiting review: when it expires undecided, and the parent's details with it.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.PrivacyRequestView")]
public sealed record PrivacyRequestView(
    [property: Id(0)] string RequestId,
    [property: Id(1)] string Kind,
    [property: Id(2)] PrivacyRequestStatus Status,
    [property: Id(3)] DateTimeOffset SubmittedAt,
    [property: Id(4)] DateTimeOffset? CompletedAt,
    [property: Id(5)] ImmutableArray<ErasureReceipt> Receipts,
    [property: Id(6)] string? Propagated = null,
    [property: Id(7)] ImmutableArray<Sharing.ProcessorErasureOutcome>? Processors = null,
    [property: Id(8)] DateTimeOffset? ExpiresAt = null);

/// <summary>A child-removal request as an officer reviews it.</summary>
/// <param name="Request">The request.</param>
/// <param name="ParentName">The parent's name.</param>
/// <param name="ParentEmail">The parent's address.</param>
/// <param name="Statement">What the parent told us.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.ChildRemovalReview")]
public sealed record ChildRemovalReview(
    [property: Id(0)] PrivacyRequestView Request,
    [property: Id(1), PersonalData] string? ParentName,
    [property: Id(2), PersonalData] string? ParentEmail,
    [property: Id(3), UserContent] string? Statement);
