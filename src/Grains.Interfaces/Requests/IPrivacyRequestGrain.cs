using Orleans.Concurrency;

namespace PrimeDirective.Grains.Interfaces.Requests;

/// <summary>
/// A privacy request as a durable workflow, keyed <c>{region}/{random}</c> in its subject's region: persisted
/// before it is acknowledged, executed step by step, resumed by reminder after a crash, completed with a receipt.
/// </summary>
[Alias("PrimeDirective.IPrivacyRequestGrain")]
public interface IPrivacyRequestGrain : IGrainWithStringKey
{
    /// <summary>Accepts the erasure of an account (idempotent for the same request id); returns once it is durable.</summary>
    [Alias("SubmitErasure")]
    Task<PrivacyRequestView> SubmitErasureAsync(ErasureSubmission submission);

    /// <summary>
    /// <see cref="SubmitErasureAsync"/> from the account itself (a dormant account's erasure). One-way: the request closes
    /// the account within its submission, while the account is in its own turn; the account repeats it until it is closed.
    /// </summary>
    [Alias("SubmitErasureOneWay")]
    [OneWay]
    Task SubmitErasureOneWayAsync(ErasureSubmission submission);

    /// <summary>Accepts the erasure of a cluster its operator asked for (idempotent); returns once it is durable.</summary>
    [Alias("SubmitClusterErasure")]
    Task<PrivacyRequestView> SubmitClusterErasureAsync(ClusterErasureSubmission submission);

    /// <summary>
    /// The same submission again, from the cluster whose first submission may have failed. One-way: the cluster calls
    /// it from its own turn, and the request may be awaiting that cluster; the cluster repeats it until the request arrives.
    /// </summary>
    [Alias("ResubmitClusterErasure")]
    [OneWay]
    Task ResubmitClusterErasureAsync(ClusterErasureSubmission submission);

    /// <summary>Accepts a parent's request to remove a child's data; it waits for an officer's review.</summary>
    [Alias("SubmitChildRemoval")]
    Task<PrivacyRequestView> SubmitChildRemovalAsync(ChildRemovalSubmission submission);

    /// <summary>
    /// Resumes a request a legal hold deferred (its subject's hold was lifted). One-way: the subject calls it from its
    /// own turn, and the request may be awaiting that subject; its reminder resumes it anyway if the message is lost.
    /// </summary>
    [Alias("Resume")]
    [OneWay]
    Task ResumeAsync();

    /// <summary>The request as its holder may see it: by capability secret, or as the account it is about; otherwise <c>null</c>.</summary>
    [Alias("Get")]
    [ReadOnly]
    [AlwaysInterleave]
    Task<PrivacyRequestView?> GetAsync(string? capability, string? requesterUserKey);

    /// <summary>The request with what an officer needs to review it (a child-removal request's statement); <c>null</c> if unknown.</summary>
    [Alias("Review")]
    [ReadOnly]
    Task<ChildRemovalReview?> ReviewAsync();

    /// <summary>An officer's decision on a child-removal request; <c>null</c> if unknown or not awaiting review.</summary>
    [Alias("Decide")]
    Task<PrivacyRequestView?> DecideAsync(bool approve, string officerId, string? reason);

    /// <summary>
    /// A processor's verified OpenDSR status callback about the erasure notice it received: recorded if it names that
    /// notice's <c>subject_request_id</c> and moves its status forward; <c>false</c> if no notice of this processor has that id.
    /// </summary>
    [Alias("RecordOpenDsrStatus")]
    Task<bool> RecordOpenDsrStatusAsync(OpenDsr.OpenDsrStatusReport report);
}

/// <summary>The index of requests awaiting an officer's review in one region, keyed <c>{region}/reviews</c>.</summary>
[Alias("PrimeDirective.IReviewQueueGrain")]
public interface IReviewQueueGrain : IGrainWithStringKey
{
    /// <summary>Adds a request id to the queue.</summary>
    [Alias("Add")]
    Task AddAsync(string requestId);

    /// <summary>Removes a request id from the queue.</summary>
    [Alias("Remove")]
    Task RemoveAsync(string requestId);

    /// <summary>The request ids awaiting review, oldest first.</summary>
    [Alias("List")]
    [ReadOnly]
    Task<System.Collections.Immutable.ImmutableArray<string>> ListAsync();
}
