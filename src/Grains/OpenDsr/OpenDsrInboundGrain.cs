using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.OpenDsr;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.OpenDsr;

/// <summary>
/// A controller's OpenDSR request to us, as a durable workflow. It stays <c>pending</c> until the person it names confirms
/// it (nobody is erased on a controller's word alone), or is cancelled by the controller or when the confirmation window
/// closes; once confirmed it erases the person through our own privacy request and completes with it. Every change is
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
    ILogger<OpenDsrInboundGrain> logger) : Grain, IOpenDsrInboundGrain, IRemindable
{
    private const string Reminder = "opendsr-in";

    private OpenDsrCallbacks Callbacks => field ??= new(state, http, keys, pacing, sharing.Value.RetryPeriod, DeactivateOnIdle);

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
                current.SubjectRequestId = submission.SubjectRequestId;
                current.RequestType = submission.RequestType;
                current.Regulation = submission.Regulation;
                current.SubmittedTime = submission.SubmittedTime;
                current.BodySha256 = submission.BodySha256;
                current.CallbackUrls = [.. submission.CallbackUrls];
                current.ReceivedAt = now;
                current.ExpectedCompletionAt = now + options.Value.CompletionTime;
                current.Status = "pending";
                return (true, View(current));
            },
            DeactivateOnIdle);
        if (view is not null)
        {
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
                current.ErasureRequestId = requestId;
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

        // Persisted first: the reminder submits the erasure again after a crash (the submission is idempotent).
        await this.RegisterOrUpdateReminder(Reminder, sharing.Value.RetryPeriod, sharing.Value.RetryPeriod);
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

        if (state.State.Status == "in_progress")
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

    /// <summary>Moves the status from <paramref name="from"/> to <paramref name="to"/> (and queues the callbacks the change owes).</summary>
    private async Task MoveAsync(string from, string to)
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
    private string Capability() => pseudonymizer.Pseudonymize("opendsr-receipt", this.GetPrimaryKeyString());

    private async Task UnregisterAsync()
    {
        if (await this.GetReminder(Reminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private static OpenDsrInboundView View(OpenDsrInboundState current) => new(
        current.ControllerId!, current.SubjectRequestId!, current.RequestType!, current.Status, current.ReceivedAt!.Value,
        current.ExpectedCompletionAt!.Value, current.BodySha256!, current.CancelledAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "OpenDSR request {GrainKey} confirmed by its person")]
    private static partial void LogConfirmed(ILogger logger, string grainKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "OpenDSR request {GrainKey} is now {Status}")]
    private static partial void LogMoved(ILogger logger, string grainKey, string status);
}

/// <summary>The stored state of a controller's request (plain JSON): no identity it named, only the account key once confirmed.</summary>
public sealed class OpenDsrInboundState
{
    public string? ControllerId { get; set; }

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
