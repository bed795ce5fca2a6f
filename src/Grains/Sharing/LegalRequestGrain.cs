using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Transparency;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Storage;
using PrimeDirective.Grains.Transparency;

namespace PrimeDirective.Grains.Sharing;

/// <summary>
/// A legal request: received, decided in good faith, and on <c>disclose</c> a disclosure with basis <c>legal</c>. The
/// person is told when it is received and again when it is decided, or, while a gag runs, both when it ends: a timer
/// on the policy's clock acts at the gag's exact end, and a reminder re-armed to the same end is the backstop after a
/// crash or a deactivation. The person's erasure destroys the request's link to them.
/// </summary>
[RegionPlacement]
public sealed partial class LegalRequestGrain(
    [PersistentState("legal-request", StorageNames.Subjects)] IPersistentState<LegalRequestState> state,
    UserKeys userKeys,
    PolicyClock time,
    IDestructionLedger ledger,
    IOptions<SharingOptions> options,
    ILogger<LegalRequestGrain> logger,
    ITransparencyLog transparency) : Grain, ILegalRequestGrain, IRemindable
{
    private const string GagReminder = "gag";

    /// <summary>The longest one timer waits (a system timer cannot wait 50 days); it then looks at the clock again.</summary>
    private static readonly TimeSpan MaxTimerWait = TimeSpan.FromDays(30);

    private ITimer? _gagTimer;

    private string Key => this.GetPrimaryKeyString();

    private string Region => SubjectKey.RegionOf(Key)!;

    /// <summary>A gag whose end has not been acted on yet, for a person still here.</summary>
    private bool GagPending => state.State is { Request.UserId: not null, GagUntil: not null, GagEndedAt: null };

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await DestructionProofs.FlushAsync(state, ledger, Region, DeactivateOnIdle);
        await CountAsync();
        if (GagPending)
        {
            ArmTimer();
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _gagTimer?.Dispose();
        return Task.CompletedTask;
    }

    public async Task<LegalRequestView?> ReceiveAsync(LegalRequestReceipt request, bool placeHold)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (state.State.Request is not null)
        {
            return View();
        }

        if (request.UserId is not { } userId || !await User(userId).IsActiveAsync())
        {
            return null;
        }

        // The person remembers the request (so their erasure reaches it) and its gag before anything the gag hides happens.
        await Subject(userId).TrackLegalRequestAsync(request.RequestId, request.GagUntil);
        await state.UpdateAsync(
            () =>
            {
                state.State.Request ??= request;
                state.State.ReceivedAt ??= time.GetUtcNow();
                state.State.GagUntil ??= request.GagUntil;
                return (true, true);
            },
            DeactivateOnIdle);
        await CountAsync();

        // Independent of the request: a hold keeps the data from expiry and erasure while the matter runs.
        if (placeHold)
        {
            var now = time.GetUtcNow();
            var secret = state.State.GagUntil is { } until && until > now ? until : (DateTimeOffset?)null;
            await User(userId).PlaceLegalHoldAsync(new LegalHold($"legal request {request.RequestId}", request.Reference, now, null, request.OfficerId, request.RequestId, secret));
        }

        await ArmAsync();
        LogState(logger, Key, "received");
        return View();
    }

    public Task<LegalRequestView?> GetAsync() => Task.FromResult(View());

    public async Task<LegalDecisionResult> DecideAsync(LegalDecisionKind kind, string rationale, string officerId)
    {
        if (state.State.Request is not { } request)
        {
            return new LegalDecisionResult(LegalCommandOutcome.Unknown, null);
        }

        if (state.State.Decision is null)
        {
            if (request.UserId is null)
            {
                return new LegalDecisionResult(LegalCommandOutcome.SubjectUnknown, View());
            }

            // The decision is recorded before the disclosure it authorises is asked for.
            await state.UpdateAsync(
                () =>
                {
                    state.State.Decision ??= new LegalDecision(kind, rationale, time.GetUtcNow(), officerId);
                    state.State.DisclosureId ??= kind == LegalDecisionKind.Disclose ? SubjectIds.New(Region) : null;
                    return (true, true);
                },
                DeactivateOnIdle);
            await CountAsync();
        }
        else if (state.State.Decision.Kind != kind || state.State.Decision.Rationale != rationale)
        {
            return new LegalDecisionResult(LegalCommandOutcome.Conflict, View());
        }

        // Repeated after a crash or a retried call: the subject's ledger keeps a disclosure id once, and only the call that
        // made the disclosure gets its package's secret.
        DisclosureOutcome? disclosed = null;
        if (state.State.DisclosureId is { } disclosureId && request.UserId is { } userId)
        {
            var gag = state.State.GagUntil is { } until && until > time.GetUtcNow() ? until : (DateTimeOffset?)null;
            disclosed = await User(userId).AsReference<IDisclosureSubject>().DiscloseAsync(new DisclosureOrder(
                disclosureId, request.Authority, DisclosureBasis.Legal, request.Categories, DataPurpose.ServiceProvision, rationale, null, officerId,
                null, null, request.RequestId, request.Reference, gag));
            if (disclosed is null)
            {
                return new LegalDecisionResult(LegalCommandOutcome.SubjectUnknown, View());
            }
        }

        LogState(logger, Key, "decided");
        await ArmAsync();
        return new LegalDecisionResult(LegalCommandOutcome.Done, View(), disclosed?.CapabilitySecret, disclosed?.CapabilityExpiresAt);
    }

    public async Task<(LegalCommandOutcome Outcome, LegalRequestView? View)> ExtendGagAsync(DateTimeOffset gagUntil, string officerId)
    {
        if (state.State.Request is not { } request)
        {
            return (LegalCommandOutcome.Unknown, null);
        }

        // Only a gag still running can be extended, and only to a later end.
        var now = time.GetUtcNow();
        if (state.State.GagUntil is not { } current || current <= now || gagUntil <= current)
        {
            return (LegalCommandOutcome.Conflict, View());
        }

        await state.UpdateAsync(() => (true, state.State.GagUntil = gagUntil), DeactivateOnIdle);
        if (request.UserId is { } userId)
        {
            var subject = Subject(userId);
            await subject.TrackLegalRequestAsync(request.RequestId, gagUntil);
            if (state.State.DisclosureId is { } disclosureId)
            {
                await subject.HideDisclosureAsync(disclosureId, gagUntil);
            }
        }

        _ = officerId;
        await ArmAsync();
        return (LegalCommandOutcome.Done, View());
    }

    public Task<bool> AuthorisesAsync(string subjectKey, string disclosureId) => Task.FromResult(
        state.State is { Request.UserId: { } userId, Decision.Kind: LegalDecisionKind.Disclose, DisclosureId: { } authorised } &&
        authorised == disclosureId && userKeys.ForUser(userId) == subjectKey);

    public Task ActOnGagAsync() => ArmAsync();

    public async Task ReceiveReminder(string reminderName, TickStatus status) => await ArmAsync();

    public async Task ForgetSubjectAsync(string subjectKey)
    {
        if (state.State.Request is not { UserId: { } userId } || userKeys.ForUser(userId) != subjectKey)
        {
            return;
        }

        // One write destroys the link and the free text, and carries the proof; the ledger then records it (again on activation after a crash).
        var forgot = await state.UpdateAsync(
            () =>
            {
                var current = state.State;
                if (current.Request is not { UserId: { } known } || userKeys.ForUser(known) != subjectKey)
                {
                    return (false, false);
                }

                var now = time.GetUtcNow();
                var proof = DestructionProof.New("legal-request", "request", ImmutableDictionary<DataCategory, int>.Empty.Add(DataCategory.Identifier, 1), now);
                current.Request = current.Request with { UserId = null };
                current.Decision = current.Decision is { } decision ? decision with { Rationale = null } : null;
                current.SubjectErased = new LegalSubjectErasure(now, proof.Id);
                current.PendingProofs.Add(proof);
                return (true, true);
            },
            DeactivateOnIdle);
        if (!forgot)
        {
            return;
        }

        await DestructionProofs.FlushAsync(state, ledger, Region, DeactivateOnIdle);
        _gagTimer?.Dispose();
        await StopRemindingAsync();
        LogState(logger, Key, "subject erased");
    }

    /// <summary>
    /// Acts on what is due (the person told of the request and its decision, and shown what a gag hid, once its end
    /// came), then, while a gag still runs, waits for its end: a timer on the policy's clock for the exact remainder,
    /// and the reminder due at that same end once it is within a period (its backstop after a crash or a deactivation).
    /// </summary>
    private async Task ArmAsync()
    {
        await TellIfDueAsync();
        if (!GagPending)
        {
            _gagTimer?.Dispose();
            await StopRemindingAsync();
            return;
        }

        var left = state.State.GagUntil!.Value - time.GetUtcNow();
        var period = options.Value.ExpiryCheckPeriod;

        // Never "due now": a reminder whose start has passed when its timer starts first fires a whole period later.
        await this.RegisterOrUpdateReminder(GagReminder, left < period ? left : period, period);
        ArmTimer();
    }

    /// <summary>The timer for the gag's exact end, on the policy's clock; its tick comes back in as a grain call, never as grain code on the timer's thread.</summary>
    private void ArmTimer()
    {
        _gagTimer?.Dispose();
        var left = state.State.GagUntil!.Value - time.GetUtcNow();
        var wait = left <= TimeSpan.Zero ? TimeSpan.Zero : left < MaxTimerWait ? left : MaxTimerWait;
        var (grains, key) = (GrainFactory, Key);
        using (ExecutionContext.SuppressFlow())
        {
            _gagTimer = time.CreateTimer(_ => _ = WakeAsync(grains, key), null, wait, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task WakeAsync(IGrainFactory grains, string key)
    {
        try
        {
            await grains.GetGrain<ILegalRequestGrain>(key).ActOnGagAsync();
        }
        catch (Exception exception)
        {
            // The reminder acts instead; the type only, as messages may carry values.
            LogWakeFailed(logger, key, exception.GetType().Name);
        }
    }

    /// <summary>
    /// Unless a gag runs: what the gag hid joins the person's views, and they are told, once each, that the request was
    /// received and what was decided. Nothing for a person already erased.
    /// </summary>
    private async Task TellIfDueAsync()
    {
        var current = state.State;
        if (current is not { Request: { UserId: { } userId } request } || (current.GagUntil is { } until && until > time.GetUtcNow()))
        {
            return;
        }

        var subject = Subject(userId);
        if (current.GagUntil is not null && current.GagEndedAt is null)
        {
            await subject.EndGagAsync(request.RequestId);
        }

        // A request told of its decision before receipt notices existed is not told of its receipt afterwards.
        var received = current is { ReceiptNotifiedAt: null, NotifiedAt: null } && await subject.NotifyLegalRequestAsync(LegalRequestNotices.Received(request));
        var decided = current is { Decision: { } decision, NotifiedAt: null } && await subject.NotifyLegalRequestAsync(LegalRequestNotices.Decided(request, decision));
        await state.UpdateAsync(
            () =>
            {
                var now = time.GetUtcNow();
                var changed = false;
                if (received && state.State.ReceiptNotifiedAt is null)
                {
                    (state.State.ReceiptNotifiedAt, changed) = (now, true);
                }

                if (decided && state.State.NotifiedAt is null)
                {
                    (state.State.NotifiedAt, changed) = (now, true);
                }

                if (state.State is { GagUntil: not null, GagEndedAt: null })
                {
                    (state.State.GagEndedAt, changed) = (now, true);
                }

                return (changed, true);
            },
            DeactivateOnIdle);
        if (received || decided)
        {
            LogState(logger, Key, "person notified");
        }
    }

    /// <summary>Counts for the transparency report what this request's state says happened (received, gagged, decided), each once; by its authority's kind only.</summary>
    private Task CountAsync()
    {
        var current = state.State;
        if (current is not { Request: { } request, ReceivedAt: { } receivedAt })
        {
            return Task.CompletedTask;
        }

        var kind = WireNames.Of(request.AuthorityKind);
        List<TransparencyEvent> implied = [TransparencyCounts.Of(Key, TransparencyMeasures.LegalReceived, receivedAt, kind)];
        if (request.GagUntil is not null)
        {
            implied.Add(TransparencyCounts.Of(Key, TransparencyMeasures.LegalGagged, receivedAt, string.Empty));
        }

        if (current.Decision is { } decision)
        {
            var measure = decision.Kind == LegalDecisionKind.Disclose ? TransparencyMeasures.LegalComplied : TransparencyMeasures.LegalRejected;
            implied.Add(TransparencyCounts.Of(Key, measure, decision.DecidedAt, kind));
        }

        return TransparencyCounts.CountAsync(state, transparency, Region, implied, DeactivateOnIdle);
    }

    private async Task StopRemindingAsync()
    {
        if (await this.GetReminder(GagReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private IUserGrain User(string userId) => GrainFactory.GetGrain<IUserGrain>(userKeys.ForUser(userId));

    private ILegalRequestSubject Subject(string userId) => User(userId).AsReference<ILegalRequestSubject>();

    private LegalRequestView? View()
    {
        var current = state.State;
        return current.Request is null ? null : new LegalRequestView(
            current.Request, current.ReceivedAt!.Value, current.Decision is null ? "received" : "decided", current.Decision, current.GagUntil, current.DisclosureId,
            current.NotifiedAt, current.ReceiptNotifiedAt, current.SubjectErased);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Legal request {GrainKey}: {State}")]
    private static partial void LogState(ILogger logger, string grainKey, string state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Legal request {GrainKey}: the gag timer's call failed ({ExceptionType}); the reminder acts instead")]
    private static partial void LogWakeFailed(ILogger logger, string grainKey, string exceptionType);
}

/// <summary>A legal request's stored state, in the person's region.</summary>
public sealed class LegalRequestState : IDestructionProofState, ITransparencyCountState
{
    public LegalRequestReceipt? Request { get; set; }

    public DateTimeOffset? ReceivedAt { get; set; }

    public LegalDecision? Decision { get; set; }

    /// <summary>The gag in force, possibly extended past the one received.</summary>
    public DateTimeOffset? GagUntil { get; set; }

    /// <summary>When the gag's end was acted on (what it hid shown to the person, the notices due sent).</summary>
    public DateTimeOffset? GagEndedAt { get; set; }

    /// <summary>The disclosure a <c>disclose</c> decision makes (id fixed before it is asked for).</summary>
    public string? DisclosureId { get; set; }

    /// <summary>When the person was told of the decision.</summary>
    public DateTimeOffset? NotifiedAt { get; set; }

    /// <summary>When the person was told that the request was received.</summary>
    public DateTimeOffset? ReceiptNotifiedAt { get; set; }

    /// <summary>Set when the person was erased and the link to them destroyed.</summary>
    public LegalSubjectErasure? SubjectErased { get; set; }

    /// <summary>The proof of that destruction, until its region's ledger has recorded it.</summary>
    public List<DestructionProof> PendingProofs { get; set; } = [];

    /// <summary>What the transparency report has counted of this request (received, gagged, decided).</summary>
    public List<string> Counted { get; set; } = [];
}
