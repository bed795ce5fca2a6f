using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Sharing;

/// <summary>
/// A legal request: received, decided in good faith, and on <c>disclose</c> a disclosure with basis <c>legal</c>. The
/// person is told once the request is decided, or, while a gag runs, by this grain's reminder when it ends.
/// </summary>
[RegionPlacement]
public sealed partial class LegalRequestGrain(
    [PersistentState("legal-request", StorageNames.Subjects)] IPersistentState<LegalRequestState> state,
    UserKeys userKeys,
    PolicyClock time,
    IOptions<SharingOptions> options,
    ILogger<LegalRequestGrain> logger) : Grain, ILegalRequestGrain, IRemindable
{
    private const string GagReminder = "gag";

    private string Key => this.GetPrimaryKeyString();

    public async Task<LegalRequestView?> ReceiveAsync(LegalRequestReceipt request, bool placeHold)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (state.State.Request is not null)
        {
            return View();
        }

        var user = GrainFactory.GetGrain<IUserGrain>(userKeys.ForUser(request.UserId));
        if (!await user.IsActiveAsync())
        {
            return null;
        }

        await state.UpdateAsync(
            () =>
            {
                state.State.Request ??= request;
                state.State.ReceivedAt ??= time.GetUtcNow();
                state.State.GagUntil ??= request.GagUntil;
                return (true, true);
            },
            DeactivateOnIdle);

        // Independent of the request: a hold keeps the data from expiry and erasure while the matter runs.
        if (placeHold)
        {
            await user.PlaceLegalHoldAsync(new LegalHold($"legal request {request.RequestId}", request.Reference, time.GetUtcNow(), null, request.OfficerId));
        }

        await ArmAsync();
        LogState(logger, Key, "received");
        return View();
    }

    public Task<LegalRequestView?> GetAsync() => Task.FromResult(View());

    public async Task<(LegalCommandOutcome Outcome, LegalRequestView? View)> DecideAsync(LegalDecisionKind kind, string rationale, string officerId)
    {
        if (state.State.Request is not { } request)
        {
            return (LegalCommandOutcome.Unknown, null);
        }

        if (state.State.Decision is null)
        {
            // The decision is recorded before the disclosure it authorises is asked for.
            await state.UpdateAsync(
                () =>
                {
                    state.State.Decision ??= new LegalDecision(kind, rationale, time.GetUtcNow(), officerId);
                    state.State.DisclosureId ??= kind == LegalDecisionKind.Disclose ? SubjectIds.New(SubjectKey.RegionOf(Key)!) : null;
                    return (true, true);
                },
                DeactivateOnIdle);
        }
        else if (state.State.Decision.Kind != kind || state.State.Decision.Rationale != rationale)
        {
            return (LegalCommandOutcome.Conflict, View());
        }

        // Repeated after a crash or a retried call: the subject's ledger keeps a disclosure id once.
        if (state.State.DisclosureId is { } disclosureId)
        {
            var subject = GrainFactory.GetGrain<IUserGrain>(userKeys.ForUser(request.UserId)).AsReference<IDisclosureSubject>();
            var gag = state.State.GagUntil is { } until && until > time.GetUtcNow() ? until : (DateTimeOffset?)null;
            var outcome = await subject.DiscloseAsync(new DisclosureOrder(
                disclosureId, request.Authority, DisclosureBasis.Legal, request.Categories, DataPurpose.ServiceProvision, rationale, null, officerId,
                null, null, request.RequestId, request.Reference, gag));
            if (outcome is null)
            {
                return (LegalCommandOutcome.SubjectUnknown, View());
            }
        }

        LogState(logger, Key, "decided");
        await NotifyIfDueAsync();
        return (LegalCommandOutcome.Done, View());
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
        if (state.State.DisclosureId is { } disclosureId)
        {
            await GrainFactory.GetGrain<IUserGrain>(userKeys.ForUser(request.UserId)).AsReference<ILegalRequestSubject>().HideDisclosureAsync(disclosureId, gagUntil);
        }

        _ = officerId;
        await ArmAsync();
        return (LegalCommandOutcome.Done, View());
    }

    public Task<bool> AuthorisesAsync(string subjectKey, string disclosureId) => Task.FromResult(
        state.State is { Request: { } request, Decision.Kind: LegalDecisionKind.Disclose, DisclosureId: { } authorised } &&
        authorised == disclosureId && userKeys.ForUser(request.UserId) == subjectKey);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state.State.Request is null || state.State.NotifiedAt is not null)
        {
            await StopRemindingAsync();
            return;
        }

        await NotifyIfDueAsync();
        if (state.State.GagUntil is not { } until || until <= time.GetUtcNow())
        {
            // Once the gag ended, a notice still to come goes out at the decision itself.
            await StopRemindingAsync();
        }
    }

    /// <summary>Tells the person, once: when the request is decided and no gag runs.</summary>
    private async Task NotifyIfDueAsync()
    {
        var current = state.State;
        if (current is not { Request: { } request, Decision: { } decision, NotifiedAt: null } || (current.GagUntil is { } until && until > time.GetUtcNow()))
        {
            return;
        }

        var categories = string.Join(", ", request.Categories.Select(category => System.Text.Json.JsonSerializer.Serialize(category).Trim('"')));
        var text = string.Create(CultureInfo.InvariantCulture, $"{request.Authority} asked us (reference {request.Reference}) to hand over your {categories} data. ") +
            (decision.Kind == LegalDecisionKind.Disclose
                ? $"We believe in good faith that the law requires it, and disclosed it: {decision.Rationale}"
                : $"We refused: {decision.Rationale}") +
            " Nothing in our policy limits the legal defences or objections you may have.";
        await GrainFactory.GetGrain<IUserGrain>(userKeys.ForUser(request.UserId)).AsReference<ILegalRequestSubject>().NotifyLegalRequestAsync(request.RequestId, text);
        await state.UpdateAsync(() => (true, state.State.NotifiedAt = time.GetUtcNow()), DeactivateOnIdle);
        LogState(logger, Key, "person notified");
    }

    /// <summary>While a gag runs, a reminder looks at the policy's clock at least every check period (reminders keep real time).</summary>
    private async Task ArmAsync()
    {
        if (state.State.GagUntil is not { } until || state.State.NotifiedAt is not null)
        {
            return;
        }

        var left = until - time.GetUtcNow();
        var check = options.Value.ExpiryCheckPeriod;
        await this.RegisterOrUpdateReminder(GagReminder, left <= TimeSpan.Zero ? TimeSpan.Zero : left < check ? left : check, check);
    }

    private async Task StopRemindingAsync()
    {
        if (await this.GetReminder(GagReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private LegalRequestView? View()
    {
        var current = state.State;
        return current.Request is null ? null : new LegalRequestView(
            current.Request, current.ReceivedAt!.Value, current.Decision is null ? "received" : "decided", current.Decision, current.GagUntil, current.DisclosureId, current.NotifiedAt);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Legal request {GrainKey}: {State}")]
    private static partial void LogState(ILogger logger, string grainKey, string state);
}

/// <summary>A legal request's stored state, in the person's region.</summary>
public sealed class LegalRequestState
{
    public LegalRequestReceipt? Request { get; set; }

    public DateTimeOffset? ReceivedAt { get; set; }

    public LegalDecision? Decision { get; set; }

    /// <summary>The gag in force, possibly extended past the one received.</summary>
    public DateTimeOffset? GagUntil { get; set; }

    /// <summary>The disclosure a <c>disclose</c> decision makes (id fixed before it is asked for).</summary>
    public string? DisclosureId { get; set; }

    public DateTimeOffset? NotifiedAt { get; set; }
}
