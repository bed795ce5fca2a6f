using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Requests;

/// <summary>
/// A privacy request as a durable workflow. Persisted, and the account closed (its tokens stop), before it is
/// acknowledged; then linked clusters are erased in whichever region they live, the email index entries are released,
/// and the account is destroyed, each step persisted as it completes. A reminder resumes it after a crash.
/// </summary>
[RegionPlacement]
public sealed partial class PrivacyRequestGrain(
    [PersistentState("request", StorageNames.Subjects)] IPersistentState<PrivacyRequestState> state,
    IPrivacyRequestFaults faults,
    OutboxSender outbox,
    UserKeys keys,
    PolicyClock time,
    IOptions<RequestOptions> options,
    ILogger<PrivacyRequestGrain> logger,
    ProcessorChannel processors) : Grain, IPrivacyRequestGrain, IOutboxOwner, IRemindable
{
    private const string ResumeReminder = "resume";

    private string Region => SubjectKey.RegionOf(this.GetGrainId());

    public async Task<PrivacyRequestView> SubmitErasureAsync(ErasureSubmission submission)
    {
        ArgumentNullException.ThrowIfNull(submission);
        await AcceptOnceAsync(PrivacyRequestKinds.Erasure, PrivacyRequestStatus.Accepted, submission.Reason, submission.CapabilityHash,
            current => current.SubjectUserKey = submission.UserKey);
        await StartAsync();
        var requestId = RequestId();
        var user = GrainFactory.GetGrain<IUserGrain>(submission.UserKey);
        await user.RecordRequestAsync(new RequestReference(requestId, PrivacyRequestKinds.Erasure, state.State.SubmittedAt));

        // Closed before the answer, so the person's tokens stop at once; the workflow's close step is then a no-op.
        await user.CloseAsync(requestId);
        return PersonView();
    }

    public Task SubmitErasureOneWayAsync(ErasureSubmission submission) => SubmitErasureAsync(submission);

    public async Task<PrivacyRequestView> SubmitClusterErasureAsync(ClusterErasureSubmission submission)
    {
        ArgumentNullException.ThrowIfNull(submission);
        await AcceptOnceAsync(PrivacyRequestKinds.ClusterErasure, PrivacyRequestStatus.Accepted, "operator-request", submission.CapabilityHash,
            current => current.SubjectClusterKey = submission.ClusterKey);
        await StartAsync();
        return View();
    }

    public Task ResubmitClusterErasureAsync(ClusterErasureSubmission submission) => SubmitClusterErasureAsync(submission);

    /// <summary>Persists a new request (a repeated submission to the same id changes nothing); <c>true</c> if it was new.</summary>
    private Task<bool> AcceptOnceAsync(string kind, PrivacyRequestStatus status, string reason, string capabilityHash, Action<PrivacyRequestState> target)
    {
        var requestId = RequestId();
        return UpdateAsync(now =>
        {
            var current = state.State;
            if (current.RequestId is not null)
            {
                return (false, false);
            }

            current.RequestId = requestId;
            current.Kind = kind;
            current.Status = status;
            current.SubmittedAt = now;
            current.Reason = reason;
            current.CapabilityHash = capabilityHash;
            target(current);
            return (true, true);
        });
    }

    public Task<PrivacyRequestView?> GetAsync(string? capability, string? requesterUserKey)
    {
        var current = state.State;
        var allowed = current.RequestId is not null &&
            ((capability is not null && current.CapabilityHash is { } hash && Capabilities.Matches(capability, hash)) ||
             (requesterUserKey is not null && current.SubjectUserKey == requesterUserKey && current.Kind == PrivacyRequestKinds.Erasure));
        return Task.FromResult(allowed ? PersonView() : null);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == ResumeReminder)
        {
            await RunAsync();
        }
        else if (reminderName == OutboxReminder)
        {
            await RecheckOutgoingAsync();
        }
        else if (reminderName == PropagationReminder)
        {
            await PropagateAsync();
        }
        else if (reminderName == ReviewReminder)
        {
            await CheckReviewAsync();
        }
    }

    /// <summary>Arms the resume reminder (durable), then runs at once on a timer so the caller gets its answer now.</summary>
    private async Task StartAsync()
    {
        if (!IsRunnable(state.State.Status))
        {
            return;
        }

        var period = options.Value.RetryPeriod;
        await this.RegisterOrUpdateReminder(ResumeReminder, period, period);
        this.RegisterGrainTimer(RunOnceAsync, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
    }

    private async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RunAsync();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The reminder retries; the type only, as messages may carry values.
            LogStepFailed(logger, state.State.RequestId ?? "?", exception.GetType().Name);
        }
    }

    /// <summary>Executes whatever is left of the request; each completed step is persisted before the next.</summary>
    private async Task RunAsync()
    {
        var current = state.State;
        var requestId = current.RequestId;
        if (requestId is null || !IsRunnable(current.Status))
        {
            await DisarmAsync();
            return;
        }

        await UpdateAsync(_ => (state.State.Status != PrivacyRequestStatus.InProgress, state.State.Status = PrivacyRequestStatus.InProgress));
        if (state.State.SubjectUserKey is null && state.State.ChildEmailIndexKey is { } childIndex)
        {
            var owner = await GrainFactory.GetGrain<IEmailIndexGrain>(childIndex).OwnerAsync();
            await UpdateAsync(_ => (true, state.State.SubjectUserKey = owner is null ? string.Empty : keys.ForUser(owner)));
        }

        if (state.State.Plan is null && state.State.SubjectUserKey is { Length: > 0 } userKey)
        {
            await faults.BeforeStepAsync(requestId, "close");
            var plan = await GrainFactory.GetGrain<IUserGrain>(userKey).CloseAsync(requestId) ?? new ErasurePlan(userKey, [], []);
            await UpdateAsync(_ => (true, state.State.Plan = plan));
        }

        if (state.State.SubjectClusterKey is { } operatorCluster && !state.State.Done.Contains(operatorCluster))
        {
            var cluster = GrainFactory.GetGrain<IClusterGrain>(operatorCluster);
            await CaptureClusterPropagationAsync(operatorCluster, cluster);
            var resumed = await PreviewAsync(operatorCluster, cluster, requestId);
            await faults.BeforeStepAsync(requestId, "cluster");
            var step = await cluster.EraseForRequestAsync(requestId);
            await faults.AfterStepAsync(requestId, "cluster");
            if (!await StepDoneAsync(operatorCluster, step, resumed))
            {
                return;
            }
        }

        if (state.State.Plan is { } erasure)
        {
            // A hold on the person keeps everything of theirs; only revoking their tokens (closing) went ahead.
            if (!state.State.Done.Contains(erasure.UserKey) &&
                await HoldOnAsync(erasure.UserKey, requestId) is { } hold)
            {
                await DeferAsync(ErasureStep.Held(hold).HeldUntil!.Value, hold.SecretUntil);
                return;
            }

            foreach (var clusterKey in erasure.ClusterKeys.Where(key => !state.State.Done.Contains(key)))
            {
                var cluster = GrainFactory.GetGrain<IClusterGrain>(clusterKey);
                await CaptureClusterPropagationAsync(clusterKey, cluster);
                var resumed = await PreviewAsync(clusterKey, cluster, requestId);
                await faults.BeforeStepAsync(requestId, "cluster");
                var step = await cluster.EraseForLinkAsync(erasure.UserKey, requestId);
                await faults.AfterStepAsync(requestId, "cluster");
                if (!await StepDoneAsync(clusterKey, step, resumed))
                {
                    return;
                }
            }

            foreach (var indexKey in erasure.EmailIndexKeys.Where(key => !state.State.Done.Contains(key)))
            {
                var index = GrainFactory.GetGrain<IEmailIndexGrain>(indexKey);
                var resumed = await PreviewAsync(indexKey, index, requestId);
                await faults.BeforeStepAsync(requestId, "email-index");
                var receipt = await index.ReleaseAsync(erasure.UserKey, requestId);
                await faults.AfterStepAsync(requestId, "email-index");
                await StepDoneAsync(indexKey, new ErasureStep(receipt, null), resumed);
            }

            if (!state.State.Done.Contains(erasure.UserKey))
            {
                var disclosing = GrainFactory.GetGrain<IUserGrain>(erasure.UserKey).AsReference<IDisclosureSubject>();
                await CapturePropagationAsync(erasure.UserKey, disclosing);
                await DestroyPackagesAsync(erasure.UserKey, disclosing);
                var account = GrainFactory.GetGrain<IUserGrain>(erasure.UserKey);
                var resumed = await PreviewAsync(erasure.UserKey, account, requestId);
                await faults.BeforeStepAsync(requestId, "account");
                var step = await account.EraseAsync(requestId);
                await faults.AfterStepAsync(requestId, "account");
                if (!await StepDoneAsync(erasure.UserKey, step, resumed))
                {
                    return;
                }
            }
        }

        // Done: the keys that tied the request to its subject go; the receipt stays.
        await UpdateAsync(now =>
        {
            var done = state.State;
            done.Status = PrivacyRequestStatus.Completed;
            done.CompletedAt = now;
            done.Plan = null;
            done.SubjectUserKey = null;
            done.ChildEmailIndexKey = null;
            done.SubjectClusterKey = null;
            done.Done.Clear();
            done.Previews.Clear();
            return (true, true);
        });
        LogCompleted(logger, requestId, state.State.Receipts.Count);
        await AnswerParentAsync();
        await DisarmAsync();
    }

    private async Task<LegalHold?> HoldOnAsync(string userKey, string requestId)
    {
        await faults.BeforeStepAsync(requestId, "hold");
        return await GrainFactory.GetGrain<IUserGrain>(userKey).AwaitHoldAsync(requestId);
    }

    /// <summary>Records a finished step; a step a legal hold deferred puts the request on hold instead (<c>false</c>: stop here).</summary>
    private async Task<bool> StepDoneAsync(string key, ErasureStep step, bool resumed)
    {
        if (step.HeldUntil is { } until)
        {
            await DeferAsync(until);
            return false;
        }

        await UpdateAsync(_ =>
        {
            var current = state.State;
            current.Done.Add(key);

            // A resumed step that finds nothing left destroyed it before a crash lost its answer: the preview is its receipt.
            if ((step.Receipt ?? (resumed ? current.Previews.GetValueOrDefault(key) : null)) is { } receipt)
            {
                current.Receipts.Add(receipt);
            }

            current.Previews.Remove(key);
            return (true, true);
        });
        return true;
    }

    /// <summary>Keeps what a step is about to destroy before it first runs; <c>true</c> if an earlier run already started the step.</summary>
    private async Task<bool> PreviewAsync(string key, IErasable subject, string requestId)
    {
        if (state.State.Previews.ContainsKey(key))
        {
            return true;
        }

        if (await subject.PreviewErasureAsync(requestId) is { } preview)
        {
            await UpdateAsync(_ => (true, state.State.Previews[key] = preview));
        }

        return false;
    }

    /// <summary>
    /// On hold: the reminder comes back every retry period (sooner if the hold ends first) and asks the subject again, so
    /// a lift is noticed even if its one-way resume was lost.
    /// </summary>
    private async Task DeferAsync(DateTimeOffset until, DateTimeOffset? secretUntil = null)
    {
        await UpdateAsync(_ =>
        {
            var current = state.State;
            var changed = current.Status != PrivacyRequestStatus.OnHold || current.HoldSecretUntil != secretUntil;
            (current.Status, current.HoldSecretUntil) = (PrivacyRequestStatus.OnHold, secretUntil);
            return (changed, true);
        });
        var period = options.Value.RetryPeriod;
        var untilEnd = until == DateTimeOffset.MaxValue ? period : until - time.GetUtcNow();
        var dueIn = untilEnd < period ? untilEnd : period;
        await this.RegisterOrUpdateReminder(ResumeReminder, dueIn > TimeSpan.Zero ? dueIn : TimeSpan.Zero, period);
        LogOnHold(logger, state.State.RequestId!);
    }

    public Task ResumeAsync() => StartAsync();

    private static bool IsRunnable(PrivacyRequestStatus status) =>
        status is PrivacyRequestStatus.Accepted or PrivacyRequestStatus.InProgress or PrivacyRequestStatus.OnHold;

    private async Task DisarmAsync()
    {
        if (await this.GetReminder(ResumeReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private PrivacyRequestView View()
    {
        var current = state.State;
        return WithPropagation(new PrivacyRequestView(current.RequestId!, current.Kind, current.Status, current.SubmittedAt, current.CompletedAt, [.. current.Receipts])
        {
            ExpiresAt = ReviewExpiresAt(current),
        });
    }

    /// <summary>
    /// The request as the person (or the capability's holder) sees it: deferred by a hold they must not learn of yet (a
    /// gag), it shows as still in progress, which it is; from the gag's end on, as on hold.
    /// </summary>
    private PrivacyRequestView PersonView() =>
        View() is { Status: PrivacyRequestStatus.OnHold } view && state.State.HoldSecretUntil is { } until && until > time.GetUtcNow()
            ? view with { Status = PrivacyRequestStatus.InProgress }
            : View();

    /// <summary>The public id of this request: <c>{region}-{random}</c>, from its key <c>{region}/{random}</c>.</summary>
    private string RequestId() => this.GetPrimaryKeyString().Replace('/', '-');

    private Task<T> UpdateAsync<T>(Func<DateTimeOffset, (bool Changed, T Result)> decide) =>
        state.UpdateAsync(() => decide(time.GetUtcNow()), DeactivateOnIdle);

    [LoggerMessage(Level = LogLevel.Information, Message = "Privacy request {RequestId} completed: {ReceiptCount} receipt(s)")]
    private static partial void LogCompleted(ILogger logger, string requestId, int receiptCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Privacy request {RequestId} is on hold: a legal hold defers it")]
    private static partial void LogOnHold(ILogger logger, string requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Privacy request {RequestId} stopped at a step ({ExceptionType}); its reminder resumes it")]
    private static partial void LogStepFailed(ILogger logger, string requestId, string exceptionType);
}
