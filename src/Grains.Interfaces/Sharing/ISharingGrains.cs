using System.Collections.Immutable;
using Orleans.Concurrency;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Interfaces.Sharing;

/// <summary>The processors registry, one per service, keyed <c>{home region}/processors</c>; every change is audited.</summary>
[Alias("PrimeDirective.IProcessorRegistryGrain")]
public interface IProcessorRegistryGrain : IGrainWithStringKey
{
    /// <summary>Registers or replaces a processor; a <c>null</c> secret keeps the one it has (required for a new one).</summary>
    /// <returns>The entry; <c>null</c> if a new processor came without a secret.</returns>
    [Alias("Put")]
    Task<ProcessorView?> PutAsync(ProcessorView processor, string? secret, string officerId);

    /// <summary>One processor, without its secret; <c>null</c> if unknown.</summary>
    [Alias("Get")]
    [ReadOnly]
    Task<ProcessorView?> GetAsync(string processorId);

    /// <summary>Every processor, without secrets.</summary>
    [Alias("List")]
    [ReadOnly]
    Task<ImmutableArray<ProcessorView>> ListAsync();

    /// <summary>The audit of registry changes, newest last (officer, processor, what changed; never a secret).</summary>
    [Alias("Audit")]
    [ReadOnly]
    Task<ImmutableArray<PrimeDirective.Grains.Interfaces.Users.AuditEntry>> AuditAsync();

    /// <summary>The mail relay the silos' configuration names (<c>Outbox:RelayProcessorId</c>), judged against the registry at the policy's time.</summary>
    [Alias("MailRelay")]
    [ReadOnly]
    Task<MailRelayView> MailRelayAsync();

    /// <summary>How to reach a processor and sign for it (silo-internal; never answered over HTTP).</summary>
    [Alias("GetDelivery")]
    [ReadOnly]
    Task<ProcessorDelivery?> GetDeliveryAsync(string processorId);

    /// <summary>The processor registered with OpenDSR domain <paramref name="domain"/> (the callback whitelist); <c>null</c> if none.</summary>
    [Alias("FindByDomain")]
    [ReadOnly]
    Task<ProcessorView?> FindByDomainAsync(string domain);
}

/// <summary>A subject (person or cluster) as the one decision point for disclosing its data, and the keeper of its ledger.</summary>
[Alias("PrimeDirective.IDisclosureSubject")]
public interface IDisclosureSubject : IGrainWithStringKey
{
    /// <summary>Discloses if the order's basis holds now: writes the ledger entry, then hands the package on; otherwise names the failed basis.</summary>
    /// <returns>The outcome; <c>null</c> if the subject is unknown.</returns>
    [Alias("Disclose")]
    Task<DisclosureOutcome?> DiscloseAsync(DisclosureOrder order);

    /// <summary>
    /// Records a release the person consented to for this one recipient (their confirmation of a controller's access
    /// request): a ledger entry, basis consent, before the caller hands anything over; no package is kept.
    /// </summary>
    /// <returns>The entry (the same one again for the same disclosure id); <c>null</c> if the subject may not disclose (unknown, or being erased).</returns>
    [Alias("RecordConsentedRelease")]
    Task<DisclosureEntry?> RecordConsentedReleaseAsync(DisclosureOrder order);

    /// <summary>The ledger as the subject may see it now (entries hidden by a running gag left out); <c>null</c> if unknown.</summary>
    [Alias("GetDisclosures")]
    [ReadOnly]
    Task<ImmutableArray<DisclosureEntry>?> GetDisclosuresAsync();

    /// <summary>The processors that received the subject's data by push, and the subject's identities, for an erasure to propagate to them.</summary>
    [Alias("ErasureRecipients")]
    [ReadOnly]
    Task<ErasureRecipients?> ErasureRecipientsAsync();

    /// <summary>
    /// Re-reads the stored ledger and checks its chain and the region's evidence of it; for a subject that is gone, what
    /// the evidence says became of its ledger. <c>null</c> if the subject is unknown and never had a ledger.
    /// </summary>
    [Alias("VerifyDisclosures")]
    Task<ChainVerification?> VerifyDisclosuresAsync();

    /// <summary>The subject's disclosure packages that may still exist (an erasure destroys them), each with whether a gag hides its disclosure now.</summary>
    [Alias("DisclosurePackages")]
    [ReadOnly]
    Task<ImmutableArray<SubjectPackage>> DisclosurePackagesAsync();

    /// <summary>
    /// Whether the subject's data may still leave: it exists and no erasure has closed it. Asked by a package before each
    /// push attempt; it interleaves, as the subject may be waiting on that package.
    /// </summary>
    [Alias("StillDisclosable")]
    [AlwaysInterleave]
    Task<bool> StillDisclosableAsync();
}

/// <summary>
/// One disclosure's package, keyed <c>{region}/push-{disclosureId}</c> (pushed to a processor, retried by reminder until
/// acknowledged) or <c>{region}/cap-{hash of the URL's secret}</c> (served for a limited time, then destroyed by reminder).
/// </summary>
[Alias("PrimeDirective.IDisclosurePackageGrain")]
public interface IDisclosurePackageGrain : IGrainWithStringKey
{
    /// <summary>Stores the package and arms its reminder; a repeat changes nothing.</summary>
    [Alias("Create")]
    Task CreateAsync(DisclosurePackage package);

    /// <summary>The package's JSON while its URL works; <c>null</c> once expired, destroyed or unknown.</summary>
    [Alias("Read")]
    [ReadOnly]
    Task<string?> ReadAsync();

    /// <summary>Where the package stands; <c>null</c> if unknown.</summary>
    [Alias("GetStatus")]
    [ReadOnly]
    Task<PackageStatus?> GetStatusAsync();

    /// <summary>What destroying the package now would destroy (items by category), without destroying it; <c>null</c> if it holds no data.</summary>
    [Alias("PreviewDestruction")]
    [ReadOnly]
    Task<ImmutableDictionary<DataCategory, int>?> PreviewDestructionAsync();

    /// <summary>Destroys the package for its subject's erasure (delivered or not, served or not); what it destroyed, or <c>null</c> if it held no data.</summary>
    [Alias("DestroyForErasure")]
    Task<ImmutableDictionary<DataCategory, int>?> DestroyForErasureAsync(string requestId);
}
