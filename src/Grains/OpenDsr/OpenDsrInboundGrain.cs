using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.OpenDsr;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.OpenDsr;

/// <summary>
/// A controller's OpenDSR request to us, as a durable workflow. It stays <c>pending</c> until the person it names confirms
/// it (nobody is erased on a controller's word alone), or is cancelled by the controller or when the confirmation window
/// closes; once confirmed it erases the person through our own privacy request and completes with it, or, for access and
/// portability, completes with a capability <c>results_url</c> whose every fetch is a release in the person's disclosure
/// ledger (basis consent, naming the controller). Every change is
/// posted, signed, to each callback URL (<see cref="OpenDsrCallbacks"/>). The request's identities are never stored here.
/// </summary>
[RegionPlacement]
public sealed partial class OpenDsrInboundGrain(
    [PersistentState("opendsr-in", StorageNames.Subjects)] IPersistentState<OpenDsrInboundState> state,
    PolicyClock time,
    TimeProvider pacing,
    SharingHttp http,
    OpenDsrKeyRing keys,
    Pseudonymizer pseudonymizer,
    IOptions<OpenDsrOptions> options,
    IOptions<SharingOptions> sharing,
    ILogger<OpenDsrInboundGrain> logger,
    OpenDsrMetrics metrics) : Grain, IOpenDsrInboundGrain, IRemindable
{
    private const string Reminder = "opendsr-in";

    private OpenDsrCallbacks Callbacks => field ??= new(state, http, keys, pacing, sharing.Value.RetryPeriod, DeactivateOnIdle, ResultsUrl, metrics);

    private bool ReleasesData => state.State.RequestType is "access" or "portability";

    public async Task<OpenDsrInboundView?> ReceiveAsync(OpenDsrInboundSubmission submission)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var view = await state.UpdateAsync(
            () =>
            {
                var current = state.State;
                if (current.ReceivedAt is not null)
                {
                    // A replay of the same body answers as the first did; another body under this id is refused.
                    return (false, current.BodySha256 == submission.BodySha256 ? View(current) with { Replayed = true } : null);
                }

                var now = time.GetUtcNow();
                current.ControllerId = submission.ControllerId;
                current.ControllerName = submission.ControllerName;
                current.SubjectRequestId = submission.SubjectRequestId;
                current.RequestType = submission.RequestType;
                current.Regulation = submission.Regulation;
                current.SubmittedTime = submission.SubmittedTime;
                current.BodySha256 = submission.BodySha256;
                current.CallbackUrls = [.. submission.CallbackUrls];
                current.ClusterPseudonym = submission.ClusterPseudonym;
                current.ReceivedAt = now;
                current.ExpectedCompletionAt = now + options.Value.CompletionTime;
                current.Status = "pending";
                return (true, View(current));
            },
            DeactivateOnIdle);
        if (view is not null)
        {
            metrics.Entered("pending", state.State.RequestType);

            // The reminder closes the confirmation window (and retries what a change owes).
            await this.RegisterOrUpdateReminder(Reminder, options.Value.ConfirmationWindow, options.Value.ConfirmationWindow);
        }

        return view;
    }

    public Task<OpenDsrInboundView?> GetAsync() => Task.FromResult(state.State.ReceivedAt is null ? null : View(state.State));

    public async Task<OpenDsrInboundView?> CancelAsync()
    {
        if (state.State.ReceivedAt is null)
        {
            return null;
        }

        await MoveAsync("pending", "cancelled");
        return View(state.State);
    }

    public async Task<OpenDsrConfirmation> ConfirmAsync(string userKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(userKey);
        var requestId = SubjectIds.New(SubjectKey.RegionOf(userKey) ?? throw new ArgumentException("Not a subject key.", nameof(userKey)));
        var confirmed = await state.UpdateAsync(
            () =>
            {
                var current = state.State;
                if (current.Status == "in_progress" && current.UserKey == userKey)
                {
                    // Confirmed already (a retried confirmation): the same erasure.
                    return (false, true);
                }

                if (current.ReceivedAt is null || current.Status != "pending")
                {
                    return (false, false);
                }

                current.UserKey = userKey;
                current.ErasureRequestId = ReleasesData ? null : requestId;
                current.ConfirmedAt = time.GetUtcNow();
                current.Status = "in_progress";
                Callbacks.Queue(current);
                return (true, true);
            },
            DeactivateOnIdle);
        if (!confirmed)
        {
            return new OpenDsrConfirmation(null, null, "not-pending");
        }

        metrics.Entered("in_progress", state.State.RequestType);

        // Persisted first: the reminder submits the erasure (or completes the results) again after a crash (both are idempotent).
        await this.RegisterOrUpdateReminder(Reminder, sharing.Value.RetryPeriod, sharing.Value.RetryPeriod);
        if (ReleasesData)
        {
            await CompleteResultsAsync();
            LogConfirmed(logger, this.GetPrimaryKeyString());
            return new OpenDsrConfirmation(null, null, null, state.State.RequestType!);
        }

        await SubmitErasureAsync();
        await Callbacks.DeliverAsync();
        LogConfirmed(logger, this.GetPrimaryKeyString());
        return new OpenDsrConfirmation(state.State.ErasureRequestId, Capability(), null);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        var current = state.State;
        if (current.ReceivedAt is null)
        {
            await UnregisterAsync();
            return;
        }

        if (current.Status == "pending" && current.ReceivedAt + options.Value.ConfirmationWindow <= time.GetUtcNow())
        {
            // Never confirmed: nothing was done, and nothing will be.
            await MoveAsync("pending", "cancelled");
        }

        if (state.State.Status == "in_progress" && ReleasesData)
        {
            await CompleteResultsAsync();
        }
        else if (state.State is { Status: "in_progress", UserKey: null, ErasureRequestId: { } clusterErasure })
        {
            var view = await GrainFactory.GetGrain<IPrivacyRequestGrain>(UserKeys.ForRequest(clusterErasure)).GetAsync(Capability(), null);
            if (view?.Status == PrivacyRequestStatus.Completed)
            {
                await MoveAsync("in_progress", "completed");
            }
        }
        else if (state.State.Status == "in_progress")
        {
            var view = await SubmitErasureAsync();
            if (view?.Status == PrivacyRequestStatus.Completed)
            {
                await MoveAsync("in_progress", "completed");
            }
        }

        await Callbacks.DeliverAsync();
        if (state.State.Status is "completed" or "cancelled" && !OpenDsrCallbacks.AnyOpen(state.State))
        {
            await UnregisterAsync();
        }
    }

    public Task<bool> AwaitsClusterAsync(string clusterPseudonym) =>
        Task.FromResult(state.State is { Status: "pending", ClusterPseudonym: { } named } && named == clusterPseudonym);

    public async Task<bool> ConfirmClusterAsync(string clusterPseudonym, string erasureRequestId)
    {
        ArgumentException.ThrowIfNullOrEmpty(erasureRequestId);
        var entered = false;
        var confirmed = await state.UpdateAsync(
            () =>
            {
                var current = state.State;
                entered = false;
                if (current.Status != "pending" || current.ClusterPseudonym != clusterPseudonym)
                {
                    return (false, current.Status == "in_progress" && current.ErasureRequestId == erasureRequestId);
                }

                entered = true;

                current.ErasureRequestId = erasureRequestId;
                current.ConfirmedAt = time.GetUtcNow();
                current.Status = "in_progress";
                Callbacks.Queue(current);
                return (true, true);
            },
            DeactivateOnIdle);
        if (entered)
        {
            metrics.Entered("in_progress", state.State.RequestType);
        }

        if (confirmed)
        {
            await this.RegisterOrUpdateReminder(Reminder, sharing.Value.RetryPeriod, sharing.Value.RetryPeriod);
            await Callbacks.DeliverAsync();
            LogConfirmed(logger, this.GetPrimaryKeyString());
        }

        return confirmed;
    }

    public async Task<string?> ReleaseResultsAsync(string capability)
    {
        ArgumentNullException.ThrowIfNull(capability);
        var opens = ReleasesData && state.State is { Status: "completed", UserKey: not null, ResultsExpireAt: { } expires } &&
            expires > time.GetUtcNow() && Capabilities.Matches(capability, Capabilities.HashOf(ResultsCapability()));
        if (!opens)
        {
            return null;
        }

        // Counted before the release is recorded: a crash between the two costs the controller a fetch, never an unrecorded release.
        var fetch = await state.UpdateAsync(
            () => state.State.ResultFetches < options.Value.ResultsFetches ? (true, ++state.State.ResultFetches) : (false, 0),
            DeactivateOnIdle);
        if (fetch == 0 || state.State is not { UserKey: { } userKey, ControllerId: { } controllerId, SubjectRequestId: { } subjectRequestId })
        {
            return null;
        }

        var region = SubjectKey.RegionOf(userKey) ?? throw new InvalidOperationException("Not a subject key.");
        var entry = await GrainFactory.GetGrain<IUserGrain>(userKey).AsReference<IDisclosureSubject>().RecordConsentedReleaseAsync(new DisclosureOrder(
            SubjectIds.New(region), $"{state.State.ControllerName ?? controllerId} (OpenDSR controller {controllerId})", DisclosureBasis.Consent, [],
            DataPurpose.ThirdPartySharing, $"OpenDSR {state.State.RequestType} request {subjectRequestId}, confirmed by the person; fetch {fetch}",
            null, "opendsr-controller", null, null, null, null, null));
        LogReleased(logger, this.GetPrimaryKeyString(), entry is null ? "refused" : "recorded");
        return entry is null ? null : userKey;
    }

    /// <summary>A confirmed access or portability request completes: its results' count is read and its capability URL starts its lifetime.</summary>
    private async Task CompleteResultsAsync()
    {
        if (state.State is not { Status: "in_progress", UserKey: { } userKey })
        {
            return;
        }

        var count = (await GrainFactory.GetGrain<IUserGrain>(userKey).GetAsync())?.Items.Length ?? 0;
        await MoveAsync("in_progress", "completed", current =>
        {
            current.ResultsCount = count;
            current.ResultsExpireAt = time.GetUtcNow() + options.Value.ResultsLifetime;
        });
    }

    /// <summary>Moves the status from <paramref name="from"/> to <paramref name="to"/> (and queues the callbacks the change owes).</summary>
    private async Task MoveAsync(string from, string to, Action<OpenDsrInboundState>? alongside = null)
    {
        var moved = await state.UpdateAsync(
            () =>
            {
                var current = state.State;
                if (current.Status != from)
                {
                    return (false, false);
                }

                current.Status = to;
                alongside?.Invoke(current);
                if (to == "cancelled")
                {
                    current.CancelledAt = time.GetUtcNow();
                }

                Callbacks.Queue(current);
                return (true, true);
            },
            DeactivateOnIdle);
        if (moved)
        {
            metrics.Entered(to, state.State.RequestType);
            if (to == "completed" && time.GetUtcNow() > state.State.ExpectedCompletionAt)
            {
                metrics.CompletedLate(state.State.RequestType);
            }

            LogMoved(logger, this.GetPrimaryKeyString(), to);
            await this.RegisterOrUpdateReminder(Reminder, sharing.Value.RetryPeriod, sharing.Value.RetryPeriod);
            await Callbacks.DeliverAsync();
        }
    }

    /// <summary>Submits (again: it is idempotent) the erasure the person confirmed; its view, or <c>null</c> if none is due.</summary>
    private async Task<PrivacyRequestView?> SubmitErasureAsync()
    {
        if (state.State is not { UserKey: { } userKey, ErasureRequestId: { } requestId })
        {
            return null;
        }

        return await GrainFactory.GetGrain<IPrivacyRequestGrain>(UserKeys.ForRequest(requestId))
            .SubmitErasureAsync(new ErasureSubmission(userKey, Capabilities.HashOf(Capability()), "opendsr-request"));
    }

    /// <summary>The receipt's capability secret: derived from our pseudonym key and this grain's key, so it is never stored.</summary>
    private string Capability() => pseudonymizer.Pseudonymize(OpenDsrKeys.ReceiptCapabilityDomain, this.GetPrimaryKeyString());

    /// <summary>The results URL's capability secret, derived likewise (never stored); it opens nothing once expired or used up.</summary>
    private string ResultsCapability() => pseudonymizer.Pseudonymize("opendsr-results", this.GetPrimaryKeyString());

    /// <summary>The <c>results_url</c> of a completed access or portability request (callbacks carry it); <c>null</c> otherwise.</summary>
    private string? ResultsUrl(OpenDsrInboundState current) => ResultsPath(current) is { } path ? (options.Value.PublicBaseUrl?.TrimEnd('/') ?? string.Empty) + path : null;

    private string? ResultsPath(OpenDsrInboundState current) =>
        current is { Status: "completed", RequestType: "access" or "portability", ResultsExpireAt: not null, ControllerId: { } controllerId, SubjectRequestId: { } id }
            ? OpenDsrKeys.ResultsPath(controllerId, id, ResultsCapability())
            : null;

    private async Task UnregisterAsync()
    {
        if (await this.GetReminder(Reminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private OpenDsrInboundView View(OpenDsrInboundState current) => new(
        current.ControllerId!, current.SubjectRequestId!, current.RequestType!, current.Status, current.ReceivedAt!.Value,
        current.ExpectedCompletionAt!.Value, current.BodySha256!, current.CancelledAt, false, ResultsPath(current), ResultsPath(current) is null ? null : current.ResultsCount,
        current.ClusterPseudonym is not null);

    [LoggerMessage(Level = LogLevel.Information, Message = "OpenDSR request {GrainKey} confirmed by its person")]
    private static partial void LogConfirmed(ILogger logger, string grainKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "OpenDSR request {GrainKey}: results release {Outcome}")]
    private static partial void LogReleased(ILogger logger, string grainKey, string outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "OpenDSR request {GrainKey} is now {Status}")]
    private static partial void LogMoved(ILogger logger, string grainKey, string status);
}

/// <summary>The stored state of a controller's request (plain JSON): no identity it named, only the account key once confirmed.</summary>
public sealed class OpenDsrInboundState
{
    public string? ControllerId { get; set; }

    /// <summary>For a request naming a cluster: a keyed hash of its id (the id itself is never stored).</summary>
    public string? ClusterPseudonym { get; set; }

    /// <summary>The controller's registered name when the request came (the ledger names it on each release).</summary>
    public string? ControllerName { get; set; }

    public string? SubjectRequestId { get; set; }

    public string? RequestType { get; set; }

    public string? Regulation { get; set; }

    public DateTimeOffset? SubmittedTime { get; set; }

    /// <summary>SHA-256 of the body first received (a replay is told by it).</summary>
    public string? BodySha256 { get; set; }

    public List<string> CallbackUrls { get; set; } = [];

    public DateTimeOffset? ReceivedAt { get; set; }

    public DateTimeOffset? ExpectedCompletionAt { get; set; }

    /// <summary><c>pending</c>, <c>in_progress</c>, <c>completed</c> or <c>cancelled</c>.</summary>
    public string Status { get; set; } = "pending";

    public DateTimeOffset? ConfirmedAt { get; set; }

    public DateTimeOffset? CancelledAt { get; set; }

    /// <summary>The confirming person's account key (pseudonymous), set only by their confirmation.</summary>
    public string? UserKey { get; set; }

    /// <summary>Our privacy request erasing them.</summary>
    public string? ErasureRequestId { get; set; }

    /// <summary>For a completed access or portability request: when its <c>results_url</c> stops working.</summary>
    public DateTimeOffset? ResultsExpireAt { get; set; }

    /// <summary>For a completed access or portability request: the items its results held at completion (<c>results_count</c>).</summary>
    public int? ResultsCount { get; set; }

    /// <summary>How many times its <c>results_url</c> was opened (each a ledger entry).</summary>
    public int ResultFetches { get; set; }

    /// <summary>Callbacks owed: one per URL and status change, until each is answered 2xx.</summary>
    public List<OpenDsrCallbackDue> Callbacks { get; set; } = [];
}

/// <summary>One status callback owed to one URL.</summary>
public sealed class OpenDsrCallbackDue
{
    public string Url { get; set; } = string.Empty;

    public string Status { get; set; } = string.Empty;

    public int Attempts { get; set; }

    public int? LastAnswer { get; set; }

    public DateTimeOffset? NextAttemptAt { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }

    /// <summary>When the change was queued (real time); a callback unanswered for 30 days is given up.</summary>
    public DateTimeOffset QueuedAt { get; set; }

    public DateTimeOffset? AbandonedAt { get; set; }
}
