using Orleans.Concurrency;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Retention;

namespace PrimeDirective.Grains.Interfaces.Users;

/// <summary>
/// A person as a data subject. Keyed <c>{region}/{hmac(userId)}</c>; the real id, profile, consents and links
/// live only in the grain's state, in its region's database.
/// </summary>
[Alias("PrimeDirective.IUserGrain")]
public interface IUserGrain : ILegalHoldSubject, IErasable
{
    /// <summary>Creates the account once; a repeat with the same user id changes nothing.</summary>
    [Alias("Create")]
    Task CreateAsync(NewAccount account);

    /// <summary>Whether the account exists and is not being erased: its tokens work only while this holds.</summary>
    [Alias("IsActive")]
    [ReadOnly]
    Task<bool> IsActiveAsync();

    /// <summary>Everything held in the account itself (linked clusters' data is fetched from their own grains), or <c>null</c>.</summary>
    [Alias("Get")]
    [ReadOnly]
    Task<UserRecord?> GetAsync();

    /// <summary>Corrects name or birth date; <c>null</c> if the account is not active.</summary>
    [Alias("Correct")]
    Task<CorrectionResult?> CorrectAsync(ProfileCorrection correction);

    /// <summary>Starts moving the account to another email address: a code goes to the new address.</summary>
    [Alias("StartEmailChange")]
    Task<bool> StartEmailChangeAsync([PersonalData] string newEmail);

    /// <summary>Completes an email change with the code sent to the new address; the index entry moves with it.</summary>
    [Alias("ConfirmEmailChange")]
    Task<EmailChangeOutcome> ConfirmEmailChangeAsync([PersonalData] string newEmail, string code);

    /// <summary>Sends a step-up code for <paramref name="action"/> (a <see cref="StepUpActions"/> name) to the account's address; <c>false</c> if the account is not active.</summary>
    [Alias("StartStepUp")]
    Task<bool> StartStepUpAsync(string action);

    /// <summary>Whether <paramref name="code"/> is the step-up code sent to the account's address for <paramref name="action"/> (used up at once).</summary>
    [Alias("ConfirmStepUp")]
    Task<bool> ConfirmStepUpAsync(string action, string code);

    /// <summary>Grants or withdraws consent for a purpose; <c>null</c> if the account is not active.</summary>
    [Alias("SetConsent")]
    Task<ConsentState?> SetConsentAsync(DataPurpose purpose, bool granted);

    /// <summary>Links a cluster the person runs, proven by its bootstrap id; <c>null</c> if unknown or unproven.</summary>
    [Alias("LinkCluster")]
    Task<LinkedCluster?> LinkClusterAsync([PersonalData] string clusterId, string clusterRegion, [PersonalData] string bootstrapProof);

    /// <summary>Records a privacy request about the account (for its own listing and audit trail).</summary>
    [Alias("RecordRequest")]
    Task RecordRequestAsync(RequestReference request);

    /// <summary>First step of erasure: tokens stop working and the plan of what else to erase is returned.</summary>
    [Alias("Close")]
    Task<ErasurePlan?> CloseAsync(string requestId);

    /// <summary>The legal hold that defers the account's erasure, if any; the request is resumed when it is lifted.</summary>
    [Alias("AwaitHold")]
    Task<LegalHold?> AwaitHoldAsync(string requestId);

    /// <summary>Last step of erasure: the account's state is destroyed (unless a legal hold defers it).</summary>
    [Alias("Erase")]
    Task<ErasureStep> EraseAsync(string requestId);
}
