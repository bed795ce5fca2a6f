using System.Collections.Immutable;
using Orleans.Concurrency;

namespace PrimeDirective.Grains.Interfaces.OpenDsr;

/// <summary>A controller an officer registered to send us OpenDSR requests: its domain and CA-issued certificate.</summary>
/// <param name="ControllerId">Our id for it (our <c>controller_id</c> in every answer).</param>
/// <param name="Name">Its name.</param>
/// <param name="Domain">Its OpenDSR domain (its <c>X-OpenDSR-Processor-Domain</c> header; its certificate's SAN).</param>
/// <param name="Certificate">Its certificate (PEM, with its chain after it).</param>
/// <param name="UpdatedAt">When the entry last changed.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.OpenDsrControllerView")]
public sealed record OpenDsrControllerView(
    [property: Id(0)] string ControllerId,
    [property: Id(1)] string Name,
    [property: Id(2)] string Domain,
    [property: Id(3)] string Certificate,
    [property: Id(4)] DateTimeOffset UpdatedAt);

/// <summary>The controllers registry, one per service, keyed <c>{home region}/opendsr-controllers</c>; every change is audited.</summary>
[Alias("PrimeDirective.IOpenDsrControllerRegistryGrain")]
public interface IOpenDsrControllerRegistryGrain : IGrainWithStringKey
{
    /// <summary>Registers or replaces a controller (certificate already checked by the caller).</summary>
    [Alias("Put")]
    Task<OpenDsrControllerView> PutAsync(OpenDsrControllerView controller, string officerId);

    /// <summary>One controller; <c>null</c> if unknown.</summary>
    [Alias("Get")]
    [ReadOnly]
    Task<OpenDsrControllerView?> GetAsync(string controllerId);

    /// <summary>Every controller.</summary>
    [Alias("List")]
    [ReadOnly]
    Task<ImmutableArray<OpenDsrControllerView>> ListAsync();

    /// <summary>The controller registered with OpenDSR domain <paramref name="domain"/> (the whitelist); <c>null</c> if none.</summary>
    [Alias("FindByDomain")]
    [ReadOnly]
    Task<OpenDsrControllerView?> FindByDomainAsync(string domain);
}

/// <summary>A controller's request to us, as validated (its identities are not kept: they go to the people they name).</summary>
/// <param name="ControllerId">The controller that signed it.</param>
/// <param name="ControllerName">Its registered name (told to the person asked to confirm).</param>
/// <param name="SubjectRequestId">Its <c>subject_request_id</c>.</param>
/// <param name="RequestType"><c>erasure</c> (the only type we act on as a processor).</param>
/// <param name="Regulation"><c>gdpr</c> or <c>ccpa</c>.</param>
/// <param name="SubmittedTime">Its <c>submitted_time</c>.</param>
/// <param name="BodySha256">Lower-case hex SHA-256 of the body as received (tells a replay from a different request).</param>
/// <param name="CallbackUrls">Its <c>status_callback_urls</c>.</param>
/// <param name="ClusterPseudonym">For a request naming a cluster (<c>controller_customer_id</c>): a keyed hash of its id, never the id.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.OpenDsrInboundSubmission")]
public sealed record OpenDsrInboundSubmission(
    [property: Id(0)] string ControllerId,
    [property: Id(1)] string ControllerName,
    [property: Id(2)] string SubjectRequestId,
    [property: Id(3)] string RequestType,
    [property: Id(4)] string Regulation,
    [property: Id(5)] DateTimeOffset SubmittedTime,
    [property: Id(6)] string BodySha256,
    [property: Id(7)] ImmutableArray<string> CallbackUrls,
    [property: Id(8)] string? ClusterPseudonym = null);

/// <summary>Where a request from a controller stands (what <c>GET requests/{id}</c> answers).</summary>
/// <param name="ControllerId">The controller.</param>
/// <param name="SubjectRequestId">Its <c>subject_request_id</c>.</param>
/// <param name="RequestType">Its type.</param>
/// <param name="Status"><c>pending</c>, <c>in_progress</c>, <c>completed</c> or <c>cancelled</c>.</param>
/// <param name="ReceivedTime">When we received it.</param>
/// <param name="ExpectedCompletionTime">When we expect to complete it.</param>
/// <param name="BodySha256">SHA-256 of the body first received.</param>
/// <param name="CancelledTime">When it was cancelled, if it was.</param>
/// <param name="Replayed">Whether this answer is to a replay of a body already received (nothing new was done).</param>
/// <param name="ResultsPath">For a completed access or portability request: the path of its <c>results_url</c> (with its capability; never stored).</param>
/// <param name="ResultsCount">For a completed access or portability request: the items its results hold (<c>results_count</c>).</param>
/// <param name="NamesCluster">Whether it names a cluster, whose operator confirms it with the bootstrap proof.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.OpenDsrInboundView")]
public sealed record OpenDsrInboundView(
    [property: Id(0)] string ControllerId,
    [property: Id(1)] string SubjectRequestId,
    [property: Id(2)] string RequestType,
    [property: Id(3)] string Status,
    [property: Id(4)] DateTimeOffset ReceivedTime,
    [property: Id(5)] DateTimeOffset ExpectedCompletionTime,
    [property: Id(6)] string BodySha256,
    [property: Id(7)] DateTimeOffset? CancelledTime,
    [property: Id(8)] bool Replayed = false,
    [property: Id(9)] string? ResultsPath = null,
    [property: Id(10)] int? ResultsCount = null,
    [property: Id(11)] bool NamesCluster = false);

/// <summary>What a person's confirmation did: the erasure it started (and the receipt's capability), or why nothing happened.</summary>
/// <param name="ErasureRequestId">Our privacy request erasing the person; <c>null</c> if nothing started.</param>
/// <param name="Capability">The receipt's capability secret (shown to the person once).</param>
/// <param name="Refusal"><c>not-pending</c> when the request is cancelled, completed or unknown.</param>
/// <param name="RequestType">The request's type: an <c>access</c> or <c>portability</c> confirmation starts no erasure.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.OpenDsrConfirmation")]
public sealed record OpenDsrConfirmation(
    [property: Id(0)] string? ErasureRequestId,
    [property: Id(1)] string? Capability,
    [property: Id(2)] string? Refusal,
    [property: Id(3)] string RequestType = "erasure");

/// <summary>
/// One request a controller sent us, keyed <c>{home region}/opendsr-in-{controllerId}-{subject_request_id}</c>: a durable
/// workflow that waits, <c>pending</c>, for the person to confirm; only then erases; tells every callback URL each change,
/// signed, retried with backoff by reminder until each answers 2xx.
/// </summary>
[Alias("PrimeDirective.IOpenDsrInboundGrain")]
public interface IOpenDsrInboundGrain : IGrainWithStringKey
{
    /// <summary>Records the request (a replay of the same body answers the same); <c>null</c> if this id already holds a different body.</summary>
    [Alias("Receive")]
    Task<OpenDsrInboundView?> ReceiveAsync(OpenDsrInboundSubmission submission);

    /// <summary>Where it stands; <c>null</c> if unknown.</summary>
    [Alias("Get")]
    [ReadOnly]
    Task<OpenDsrInboundView?> GetAsync();

    /// <summary>Cancels it while <c>pending</c>; returns the view either way (<c>null</c> if unknown): its status says whether it is cancelled.</summary>
    [Alias("Cancel")]
    Task<OpenDsrInboundView?> CancelAsync();

    /// <summary>The person it names confirmed it (their one-time code held): the erasure of account <paramref name="userKey"/> starts.</summary>
    [Alias("Confirm")]
    Task<OpenDsrConfirmation> ConfirmAsync(string userKey);

    /// <summary>
    /// The controller fetches the results of a confirmed access or portability request with its capability: the release is
    /// recorded in the person's disclosure ledger (basis consent, naming the controller) before anything leaves.
    /// </summary>
    /// <returns>The person's account key, whose export may now be released; <c>null</c> if the capability does not open it (wrong, expired, used up, not completed, or the person is gone).</returns>
    [Alias("ReleaseResults")]
    Task<string?> ReleaseResultsAsync(string capability);

    /// <summary>Whether it is pending and names the cluster whose keyed hash is <paramref name="clusterPseudonym"/>.</summary>
    [Alias("AwaitsCluster")]
    [ReadOnly]
    Task<bool> AwaitsClusterAsync(string clusterPseudonym);

    /// <summary>
    /// The operator of the cluster it names proved they run it, and the cluster's erasure <paramref name="erasureRequestId"/>
    /// started with this request's receipt capability: it moves to <c>in_progress</c> and completes with that erasure.
    /// </summary>
    /// <returns>Whether it was pending and names that cluster.</returns>
    [Alias("ConfirmCluster")]
    Task<bool> ConfirmClusterAsync(string clusterPseudonym, string erasureRequestId);
}

/// <summary>Grain keys of inbound OpenDSR: home region first, nothing personal.</summary>
public static class OpenDsrKeys
{
    /// <summary>The controllers registry.</summary>
    public static string Controllers(string homeRegion) => $"{homeRegion}/opendsr-controllers";

    /// <summary>One controller's request.</summary>
    public static string Inbound(string homeRegion, string controllerId, string subjectRequestId) => $"{homeRegion}/opendsr-in-{controllerId}-{subjectRequestId}";

    /// <summary>The keyed-hash domain of a cluster id named in a request (with our <c>Pseudonymizer</c>).</summary>
    public const string ClusterPseudonymDomain = "opendsr-cluster";

    /// <summary>The pseudonym domain of a request's receipt capability (derived from the request's grain key, never stored).</summary>
    public const string ReceiptCapabilityDomain = "opendsr-receipt";

    /// <summary>The path of a completed access or portability request's <c>results_url</c>.</summary>
    public static string ResultsPath(string controllerId, string subjectRequestId, string capability) => $"/opendsr/v2/results/{controllerId}/{subjectRequestId}/{capability}";
}
