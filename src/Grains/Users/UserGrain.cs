using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Notices;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Notices;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Privacy;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Users;

/// <summary>
/// A person as a data subject: the account itself (profile, linked clusters, requests) here; consents, notices, the
/// disclosure ledger, legal holds and requests, third-party records, dormancy, email change and erasure are components
/// that own their slice of the state, wired below.
/// </summary>
[RegionPlacement]
public sealed class UserGrain(
    [PersistentState("user", StorageNames.Subjects)] IPersistentState<UserState> state,
    UserKeys keys,
    ClusterKeys clusterKeys,
    PolicyClock time,
    IDestructionLedger ledger,
    NoticeReach reach,
    IOptions<RetentionOptions> retention,
    ILogger<UserGrain> logger,
    DisclosureDesk desk,
    OutboxSender sender,
    ISubjectRegistry registry,
    IPersonNoticeLog noticeRows,
    PolicySchedule policy,
    IOutboxMarks marks,
    KeyShredder shredder,
    Sealer sealer,
    MessageSeal seal,
    ConsentMetrics consentMetrics) : Grain, IUserGrain, IDisclosureSubject, IUserActivity, ILegalRequestSubject, INoticeRecipient, IOutboxOwner,
    IOutboxRecheck, IRemindable, IUserPolicyUse, IUserThirdPartyRecords, IUserTracking
{
    private ISubjectHost Host => field ??= new GrainHost(GrainContext);

    private SubjectOutbox<UserState> Outbox => field ??= new(state, sender, Host, PersonNotices.Busy, PersonNotices.Settle, marks);

    private SubjectDisclosures<UserState> Disclosures => field ??= new(state, desk, GrainFactory, time, Host, new DisclosingSubject<UserState>(
        "person",
        Active: () => state.State.IsActive,
        Keeps: current => current.UserId is not null,
        Consent: current => Consents.Current(current.Consents, DataPurpose.ThirdPartySharing).Granted,
        Items: () => Task.FromResult<IReadOnlyList<HeldItem>>(Account.Get()!.Items),
        Audit: GaggedAudit.RecordCausedBy), logger);

    private PersonNotices Notices => field ??= new(state, Outbox, Disclosures, reach, noticeRows, seal, sealer, GrainFactory, time, Host, logger);

    private LegalHolds<UserState> Holds => field ??= new(state, GrainFactory, time, Host, current => current.UserId is not null, "account", logger);

    private PersonLegalRequests LegalRequests => field ??= new(state, Notices, Holds, GrainFactory, time, Host);

    private Consents Consents => field ??= new(state, policy, clusterKeys, GrainFactory, time, Host, logger, consentMetrics, noticeRows);

    private ThirdPartyRecords Records => field ??= new(state, time, Host);

    private Dormancy Dormancy => field ??= new(state, Notices, retention, GrainFactory, time, Host, logger);

    private Account Account => field ??= new(state, keys, clusterKeys, registry, Consents, Dormancy, GrainFactory, time, Host, logger);

    private EmailChange EmailChange => field ??= new(state, keys, GrainFactory, time, Host, Outbox);

    private StepUp StepUp => field ??= new(state, keys, GrainFactory, Host);

    private AccountErasure Erasure => field ??= new(
        state, keys, clusterKeys, ledger, registry, noticeRows, Disclosures, Outbox, Holds, LegalRequests, Dormancy, shredder, time, Host, logger);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await Erasure.CompleteAsync();

        // An email change that crashed after the new entry was claimed still has the old entry to release.
        await EmailChange.ReleaseOldAsync();
        Outbox.HandAll();

        // Accounts created before the dormant-account rule get its reminder the first time they are active again.
        if (state.State.IsActive && state.State.DormancyDueAt is null)
        {
            await Dormancy.ArmAsync(rearm: true);
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == Dormancy.Reminder)
        {
            await Dormancy.CheckAsync();
        }
        else if (reminderName == SubjectOutbox<UserState>.Reminder)
        {
            // Armed before outbox marks (V027): the account is marked instead if it still has work, and the reminder goes.
            await Notices.RecheckAsync();
            if (PersonNotices.Busy(state.State))
            {
                await Outbox.ArmAsync(force: true);
            }

            await Host.UnregisterReminderAsync(reminderName);
        }
    }

    public Task RecheckOutboxAsync() => Notices.RecheckAsync();

    public Task CreateAsync(NewAccount account) => Account.CreateAsync(account);
    public Task<bool> IsActiveAsync() => Task.FromResult(state.State.IsActive);
    public async Task<UserRecord?> GetAsync() => Account.Get() is { } record
        ? record with { Items = await sealer.WithStateProtectionAsync(Host.Key, record.Items), Notifications = await Notices.ShownAsync(record.Notifications) }
        : null;
    public Task<CorrectionResult?> CorrectAsync(ProfileCorrection correction) => Account.CorrectAsync(correction);
    public Task<LinkedCluster?> LinkClusterAsync(string clusterId, string clusterRegion, string bootstrapProof) =>
        Account.LinkClusterAsync(clusterId, clusterRegion, bootstrapProof);
    public Task RecordRequestAsync(RequestReference request) => Account.RecordRequestAsync(request);
    public Task<ConsentState?> SetConsentAsync(DataPurpose purpose, bool granted) => Consents.SetAsync(purpose, granted);
    public Task<ConsentState?> WithdrawAnalyticsForGpcAsync() => Consents.WithdrawAnalyticsForGpcAsync();
    public Task<bool> UseAsync() => Consents.UseAsync();
    public Task<bool> StartEmailChangeAsync(string newEmail) => EmailChange.StartAsync(newEmail);
    public Task<EmailChangeOutcome> ConfirmEmailChangeAsync(string newEmail, string code) => EmailChange.ConfirmAsync(newEmail, code);
    public Task<bool> StartStepUpAsync(string action) => StepUp.StartAsync(action);
    public Task<bool> ConfirmStepUpAsync(string action, string code) => StepUp.ConfirmAsync(action, code);
    public Task SignedInAsync() => Dormancy.SignedInAsync();
    public Task<ErasurePlan?> CloseAsync(string requestId) => Erasure.CloseAsync(requestId);
    public Task<ErasureReceipt?> PreviewErasureAsync(string requestId) => Task.FromResult(Erasure.Preview(requestId));
    public Task<ErasureStep> EraseAsync(string requestId) => Erasure.EraseAsync(requestId);
    public Task<bool> PlaceLegalHoldAsync(LegalHold hold) => Holds.PlaceAsync(hold);
    public Task<bool> LiftLegalHoldAsync(string officerId) => Holds.LiftAsync(officerId);
    public Task<LegalHold?> GetLegalHoldAsync() => Task.FromResult(Holds.Current);
    public Task<LegalHold?> AwaitHoldAsync(string requestId) => Holds.DeferAsync(requestId);
    public Task<bool> TrackLegalRequestAsync(string requestId, DateTimeOffset? gagUntil) => LegalRequests.TrackAsync(requestId, gagUntil);
    public Task<bool> NotifyLegalRequestAsync(LegalRequestNotice notice) => LegalRequests.NotifyAsync(notice);
    public Task EndGagAsync(string requestId) => LegalRequests.EndGagAsync(requestId);
    public Task HideDisclosureAsync(string disclosureId, DateTimeOffset until) => LegalRequests.HideDisclosureAsync(disclosureId, until);
    public Task<NoticeDecision> DecideNoticeAsync(NoticeCampaign campaign, string via) => Notices.DecideAsync(campaign, via);
    public Task MessageHandledAsync(string messageId, bool delivered) => Notices.MessageHandledAsync(messageId, delivered);
    public Task<string?> AddThirdPartyRecordAsync(ThirdPartyRecord record) => Records.AddAsync(record);
    public Task<bool> CorrectThirdPartyRecordAsync(string recordId, string value) => Records.CorrectAsync(recordId, value);
    public Task<bool> RemoveThirdPartyRecordAsync(string recordId) => Records.RemoveAsync(recordId);
    public Task<DisclosureOutcome?> DiscloseAsync(DisclosureOrder order) => Disclosures.DiscloseAsync(order);
    public Task<DisclosureEntry?> RecordConsentedReleaseAsync(DisclosureOrder order) => Disclosures.RecordConsentedReleaseAsync(order);
    public Task<ImmutableArray<DisclosureEntry>?> GetDisclosuresAsync() => Task.FromResult(Disclosures.Get());
    public Task<ChainVerification?> VerifyDisclosuresAsync() => Disclosures.VerifyAsync();
    public Task<ImmutableArray<SubjectPackage>> DisclosurePackagesAsync() => Task.FromResult(Disclosures.Packages());
    public Task<bool> StillDisclosableAsync() => Task.FromResult(state.State.IsActive);

    public Task<ErasureRecipients?> ErasureRecipientsAsync() => Task.FromResult(state.State.UserId is not { } userId ? null
        : Disclosures.Recipients(new SubjectIdentity("email", state.State.Email!), new SubjectIdentity("controller_id", userId)));

}
