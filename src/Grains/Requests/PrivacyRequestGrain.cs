using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Storage;
using PrimeDirective.Grains.Transparency;

namespace PrimeDirective.Grains.Requests;

/// <summary>
/// A privacy request as a durable workflow. Persisted, and the account closed (its tokens stop), before it is
/// acknowledged; then its erasure steps run (<see cref="ErasureSteps"/>), each persisted as it completes, and a reminder
/// resumes it after a crash. The grain wires the components that own the slices of its state: the steps, the notices
/// owed to processors, the destruction of disclosure packages, a child-removal's parent and its review deadline.
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
    ProcessorChannel processors,
    ITransparencyLog transparency,
    ErasureMetrics metrics) : Grain, IPrivacyRequestGrain, IOutboxOwner, IRemindable
{
    private const string ResumeReminder = "resume";

    private const string PropagationReminder = "propagate";

    private const string ReviewReminder = "review";

    private string Region => SubjectKey.RegionOf(this.GetGrainId());

    private SubjectDocument<PrivacyRequestState> Document => field ??= new(state, time, DeactivateOnIdle);

    private GrainReminderSlot Resume => field ??= new(this, ResumeReminder);

    private IRequestMail Mail => field ??= new RequestMail(Outgoing, time);

    private ProcessorPropagation Propagation => field ??= new(Document, processors, new GrainReminderSlot(this, PropagationReminder), () =>
        this.RegisterGrainTimer(_ => Propagation.PropagateAsync(), new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { KeepAlive = true }), logger);

    private ErasureSteps Steps => field ??= new(
        Document, new(GrainFactory, faults, keys), Propagation, new PackageDestruction(Document, GrainFactory, Region), Resume, options.Value, logger, metrics, Region);

    private ChildRemoval ChildRemoval => field ??= new(Document, Mail, Review, GrainFactory, Region, logger);

    private RequestCounting Counting => field ??= new(Document, transparency, this.GetPrimaryKeyString(), Region);

    private ReviewDeadline Review => field ??= new(Document, options.Value, Mail, new GrainReminderSlot(this, ReviewReminder), () => ChildRemoval.AnswerParentAsync(), logger);

    public async Task<PrivacyRequestView> SubmitErasureAsync(ErasureSubmission submission)
    {
        ArgumentNullException.ThrowIfNull(submission);
        await AcceptOnceAsync(PrivacyRequestKinds.Erasure, PrivacyRequestStatus.Accepted, submission.Reason, submission.CapabilityHash,
            current => current.SubjectUserKey = submission.UserKey);
        await Counting.CountAsync();
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
        await Counting.CountAsync();
        await StartAsync();
        return View();
    }

    public Task ResubmitClusterErasureAsync(ClusterErasureSubmission submission) => SubmitClusterErasureAsync(submission);

    public async Task<PrivacyRequestView> SubmitChildRemovalAsync(ChildRemovalSubmission submission)
    {
        ArgumentNullException.ThrowIfNull(submission);
        await ChildRemoval.SubmitAsync(submission, RequestId(), keep =>
            AcceptOnceAsync(PrivacyRequestKinds.ChildRemoval, PrivacyRequestStatus.AwaitingReview, "child-removal", submission.CapabilityHash, keep));
        await Counting.CountAsync();
        return View();
    }

    public Task<ChildRemovalReview?> ReviewAsync() => Task.FromResult(ChildRemoval.Review(View()));

    public async Task<PrivacyRequestView?> DecideAsync(bool approve, string officerId, string? reason)
    {
        var decided = await ChildRemoval.DecideAsync(approve, officerId, reason, StartAsync);
        await Counting.CountAsync();
        return decided ? View() : null;
    }

    public Task<bool> RecordOpenDsrStatusAsync(Interfaces.OpenDsr.OpenDsrStatusReport report) => Propagation.RecordOpenDsrStatusAsync(report);

    public Task<PrivacyRequestView?> GetAsync(string? capability, string? requesterUserKey)
    {
        var current = state.State;
        var allowed = current.RequestId is not null &&
            ((capability is not null && current.CapabilityHash is { } hash && Capabilities.Matches(capability, hash)) ||
             (requesterUserKey is not null && current.SubjectUserKey == requesterUserKey && current.Kind == PrivacyRequestKinds.Erasure));
        return Task.FromResult(allowed ? PersonView() : null);
    }

    public Task ResumeAsync() => StartAsync();

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        await (reminderName switch
        {
            ResumeReminder => RunAsync(),
            OutboxReminder => RecheckOutgoingAsync(),
            PropagationReminder => Propagation.PropagateAsync(),
            ReviewReminder => Review.CheckAsync(),
            _ => Task.CompletedTask,
        });

        // A count a crash left undone is made from the state on the next tick.
        await Counting.CountAsync();
    }

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

            (current.RequestId, current.Kind, current.Status, current.SubmittedAt) = (requestId, kind, status, now);
            (current.Reason, current.CapabilityHash) = (reason, capabilityHash);
            target(current);
            return (true, true);
        });
    }

    /// <summary>Arms the resume reminder (durable), then runs at once on a timer so the caller gets its answer now.</summary>
    private async Task StartAsync()
    {
        if (!IsRunnable(state.State.Status))
        {
            return;
        }

        var period = options.Value.RetryPeriod;
        await Resume.SetAsync(period, period);
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

    /// <summary>Executes whatever is left of a runnable request; once it completed, a parent is answered and the reminder goes.</summary>
    private async Task RunAsync()
    {
        if (state.State.RequestId is not { } requestId || !IsRunnable(state.State.Status))
        {
            await Resume.ClearAsync();
        }
        else if (await Steps.RunAsync(requestId))
        {
            await Counting.CountAsync();
            await ChildRemoval.AnswerParentAsync();
            await Resume.ClearAsync();
        }
    }

    private static bool IsRunnable(PrivacyRequestStatus status) =>
        status is PrivacyRequestStatus.Accepted or PrivacyRequestStatus.InProgress or PrivacyRequestStatus.OnHold;

    private PrivacyRequestView View()
    {
        var current = state.State;
        return Propagation.View(new PrivacyRequestView(current.RequestId!, current.Kind, current.Status, current.SubmittedAt, current.CompletedAt, [.. current.Receipts])
        {
            ExpiresAt = Review.ExpiresAt(current),
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

    private Task<T> UpdateAsync<T>(Func<DateTimeOffset, (bool Changed, T Result)> decide) => Document.UpdateAsync(decide);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Privacy request {RequestId} stopped at a step ({ExceptionType}); its reminder resumes it")]
    private static partial void LogStepFailed(ILogger logger, string requestId, string exceptionType);
}
