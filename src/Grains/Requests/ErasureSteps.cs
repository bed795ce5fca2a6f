using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Requests;

/// <summary>
/// The steps of an erasure, each persisted as it completes so a resumed run skips it (owns
/// <see cref="PrivacyRequestState.Plan"/>, <see cref="PrivacyRequestState.Done"/>, <see cref="PrivacyRequestState.Receipts"/>,
/// <see cref="PrivacyRequestState.Previews"/> and the subject keys): the operator's cluster, or the person's account closed,
/// then their linked clusters, their email index entries and the account; a legal hold defers the request instead.
/// </summary>
/// <param name="document">The request's state.</param>
/// <param name="reach">The grains a request erases, the fault hook of its steps, and how user ids become keys.</param>
/// <param name="propagation">The erasure notices owed to processors.</param>
/// <param name="packages">The subjects' disclosure packages.</param>
/// <param name="resume">The request's resume reminder.</param>
/// <param name="options">The retry period.</param>
/// <param name="logger">The grain's logger.</param>
/// <param name="metrics">Where a start and a completion are counted.</param>
/// <param name="region">The request's region (its only label besides the kind).</param>
public sealed partial class ErasureSteps(
    SubjectDocument<PrivacyRequestState> document, ErasureSteps.Reach reach, ProcessorPropagation propagation, PackageDestruction packages,
    IReminderSlot resume, RequestOptions options, ILogger logger, ErasureMetrics metrics, string region)
{
    /// <summary>What the steps reach outside the request.</summary>
    public sealed record Reach(IGrainFactory Grains, IPrivacyRequestFaults Faults, UserKeys Keys);

    /// <summary>Executes whatever is left of the request; <c>true</c> once it completed (its receipt kept, its subject keys gone).</summary>
    public async Task<bool> RunAsync(string requestId)
    {
        // Accepted -> in progress is the start; on hold -> in progress is a resumption, not another erasure.
        var starting = document.State.Status == PrivacyRequestStatus.Accepted;
        await document.UpdateAsync(_ => (document.State.Status != PrivacyRequestStatus.InProgress, document.State.Status = PrivacyRequestStatus.InProgress));
        if (starting)
        {
            metrics.Started(region, document.State.Kind);
        }

        if (document.State.SubjectUserKey is null && document.State.ChildEmailIndexKey is { } childIndex)
        {
            var owner = await reach.Grains.GetGrain<IEmailIndexGrain>(childIndex).OwnerAsync();
            await document.UpdateAsync(_ => (true, document.State.SubjectUserKey = owner is null ? string.Empty : reach.Keys.ForUser(owner)));
        }

        if (document.State.Plan is null && document.State.SubjectUserKey is { Length: > 0 } userKey)
        {
            await reach.Faults.BeforeStepAsync(requestId, "close");
            var plan = await User(userKey).CloseAsync(requestId) ?? new ErasurePlan(userKey, [], []);
            await document.UpdateAsync(_ => (true, document.State.Plan = plan));
        }

        if (document.State.SubjectClusterKey is { } operatorCluster && !document.State.Done.Contains(operatorCluster) &&
            !await ClusterAsync(operatorCluster, requestId, cluster => cluster.EraseForRequestAsync(requestId)))
        {
            return false;
        }

        if (document.State.Plan is { } erasure && !await PersonAsync(erasure, requestId))
        {
            return false;
        }

        // Done: the keys that tied the request to its subject go; the receipt stays.
        await document.UpdateAsync(now =>
        {
            var done = document.State;
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
        LogCompleted(logger, requestId, document.State.Receipts.Count);
        metrics.Completed(region, document.State.Kind, document.State.CompletedAt!.Value - document.State.SubmittedAt);
        return true;
    }

    /// <summary>The person's steps; <c>false</c> if a legal hold deferred the request.</summary>
    private async Task<bool> PersonAsync(ErasurePlan erasure, string requestId)
    {
        // A hold on the person keeps everything of theirs; only revoking their tokens (closing) went ahead.
        if (!document.State.Done.Contains(erasure.UserKey) && await HoldOnAsync(erasure.UserKey, requestId) is { } hold)
        {
            await DeferAsync(ErasureStep.Held(hold).HeldUntil!.Value, hold.SecretUntil);
            return false;
        }

        foreach (var clusterKey in erasure.ClusterKeys.Where(key => !document.State.Done.Contains(key)))
        {
            if (!await ClusterAsync(clusterKey, requestId, cluster => cluster.EraseForLinkAsync(erasure.UserKey, requestId)))
            {
                return false;
            }
        }

        foreach (var indexKey in erasure.EmailIndexKeys.Where(key => !document.State.Done.Contains(key)))
        {
            var index = reach.Grains.GetGrain<IEmailIndexGrain>(indexKey);
            var resumed = await PreviewAsync(indexKey, index, requestId);
            await reach.Faults.BeforeStepAsync(requestId, "email-index");
            var receipt = await index.ReleaseAsync(erasure.UserKey, requestId);
            await reach.Faults.AfterStepAsync(requestId, "email-index");
            await StepDoneAsync(indexKey, new ErasureStep(receipt, null), resumed);
        }

        if (document.State.Done.Contains(erasure.UserKey))
        {
            return true;
        }

        var disclosing = User(erasure.UserKey).AsReference<IDisclosureSubject>();
        await propagation.CaptureAsync(erasure.UserKey, disclosing);
        await packages.DestroyAsync(erasure.UserKey, disclosing);
        var account = User(erasure.UserKey);
        var started = await PreviewAsync(erasure.UserKey, account, requestId);

        // An officer's second factor is kept beside the account, under the same key: it goes with it.
        await reach.Grains.GetGrain<IOfficerFactorGrain>(erasure.UserKey).ForgetAsync();
        await reach.Faults.BeforeStepAsync(requestId, "account");
        var step = await account.EraseAsync(requestId);
        await reach.Faults.AfterStepAsync(requestId, "account");
        return await StepDoneAsync(erasure.UserKey, step, started);
    }

    /// <summary>
    /// Erases one cluster: its processors captured and its packages destroyed first, unless a legal hold keeps the cluster
    /// now (then on the resumed attempt). <c>false</c> if a legal hold deferred the request.
    /// </summary>
    private async Task<bool> ClusterAsync(string clusterKey, string requestId, Func<IClusterGrain, Task<ErasureStep>> erase)
    {
        var cluster = reach.Grains.GetGrain<IClusterGrain>(clusterKey);
        if (await cluster.GetLegalHoldAsync() is not { } hold || !ExpirySchedule.Defers(hold, document.Now))
        {
            await propagation.CaptureAsync(clusterKey, cluster.AsReference<IDisclosureSubject>());
            await packages.DestroyAsync(clusterKey, cluster.AsReference<IDisclosureSubject>());
        }

        var resumed = await PreviewAsync(clusterKey, cluster, requestId);
        await reach.Faults.BeforeStepAsync(requestId, "cluster");
        var step = await erase(cluster);
        await reach.Faults.AfterStepAsync(requestId, "cluster");
        return await StepDoneAsync(clusterKey, step, resumed);
    }

    private async Task<LegalHold?> HoldOnAsync(string userKey, string requestId)
    {
        await reach.Faults.BeforeStepAsync(requestId, "hold");
        return await User(userKey).AwaitHoldAsync(requestId);
    }

    /// <summary>Records a finished step; a step a legal hold deferred puts the request on hold instead (<c>false</c>: stop here).</summary>
    private async Task<bool> StepDoneAsync(string key, ErasureStep step, bool resumed)
    {
        if (step.HeldUntil is { } until)
        {
            await DeferAsync(until);
            return false;
        }

        await document.UpdateAsync(_ =>
        {
            var current = document.State;
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
        if (document.State.Previews.ContainsKey(key))
        {
            return true;
        }

        if (await subject.PreviewErasureAsync(requestId) is { } preview)
        {
            await document.UpdateAsync(_ => (true, document.State.Previews[key] = preview));
        }

        return false;
    }

    /// <summary>
    /// On hold: the reminder comes back every retry period (sooner if the hold ends first) and asks the subject again, so
    /// a lift is noticed even if its one-way resume was lost.
    /// </summary>
    private async Task DeferAsync(DateTimeOffset until, DateTimeOffset? secretUntil = null)
    {
        await document.UpdateAsync(_ =>
        {
            var current = document.State;
            var changed = current.Status != PrivacyRequestStatus.OnHold || current.HoldSecretUntil != secretUntil;
            (current.Status, current.HoldSecretUntil) = (PrivacyRequestStatus.OnHold, secretUntil);
            return (changed, true);
        });
        var period = options.RetryPeriod;
        var untilEnd = until == DateTimeOffset.MaxValue ? period : until - document.Now;
        await resume.SetAsync(untilEnd < period ? untilEnd : period, period);
        LogOnHold(logger, document.State.RequestId!);
    }

    private IUserGrain User(string userKey) => reach.Grains.GetGrain<IUserGrain>(userKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Privacy request {RequestId} completed: {ReceiptCount} receipt(s)")]
    private static partial void LogCompleted(ILogger logger, string requestId, int receiptCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Privacy request {RequestId} is on hold: a legal hold defers it")]
    private static partial void LogOnHold(ILogger logger, string requestId);
}
