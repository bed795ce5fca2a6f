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
            !await ClustersAsync([operatorCluster], requestId, cluster => cluster.EraseForRequestAsync(requestId)))
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

        var linked = erasure.ClusterKeys.Where(key => !document.State.Done.Contains(key)).ToList();
        if (linked.Count > 0 && !await ClustersAsync(linked, requestId, cluster => cluster.EraseForLinkAsync(erasure.UserKey, requestId)))
        {
            return false;
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
    /// Erases clusters: first, one after the other, each one's processors are captured and its packages destroyed (unless a
    /// legal hold keeps the cluster now; then on the resumed attempt), and what each holds is kept as its preview in one
    /// write; then the clusters erase themselves at once, each in its own grain, and their steps are recorded in one write.
    /// <c>false</c> if a legal hold deferred the request (the clusters it did not keep are erased all the same).
    /// </summary>
    private async Task<bool> ClustersAsync(IReadOnlyList<string> clusterKeys, string requestId, Func<IClusterGrain, Task<ErasureStep>> erase)
    {
        foreach (var clusterKey in clusterKeys)
        {
            var cluster = Cluster(clusterKey);
            if (await cluster.GetLegalHoldAsync() is not { } hold || !ExpirySchedule.Defers(hold, document.Now))
            {
                await propagation.CaptureAsync(clusterKey, cluster.AsReference<IDisclosureSubject>());
                await packages.DestroyAsync(clusterKey, cluster.AsReference<IDisclosureSubject>());
            }
        }

        var resumed = await PreviewAsync(clusterKeys, key => Cluster(key), requestId);
        var steps = await Task.WhenAll(clusterKeys.Select(async clusterKey =>
        {
            await reach.Faults.BeforeStepAsync(requestId, "cluster");
            var step = await erase(Cluster(clusterKey));
            await reach.Faults.AfterStepAsync(requestId, "cluster");
            return (clusterKey, step);
        }));
        return await StepsDoneAsync(steps, resumed);
    }

    private async Task<LegalHold?> HoldOnAsync(string userKey, string requestId)
    {
        await reach.Faults.BeforeStepAsync(requestId, "hold");
        return await User(userKey).AwaitHoldAsync(requestId);
    }

    /// <summary>Records a finished step; a step a legal hold deferred puts the request on hold instead (<c>false</c>: stop here).</summary>
    private Task<bool> StepDoneAsync(string key, ErasureStep step, bool resumed) =>
        StepsDoneAsync([(key, step)], resumed ? new HashSet<string>(StringComparer.Ordinal) { key } : new HashSet<string>(StringComparer.Ordinal));

    /// <summary>
    /// Records finished steps in one write (<paramref name="resumed"/>: the keys an earlier run had started); if a legal
    /// hold deferred any of them, the request goes on hold after (<c>false</c>: stop here).
    /// </summary>
    private async Task<bool> StepsDoneAsync(IReadOnlyList<(string Key, ErasureStep Step)> steps, IReadOnlySet<string> resumed)
    {
        var finished = steps.Where(done => done.Step.HeldUntil is null).ToList();
        if (finished.Count > 0)
        {
            await document.UpdateAsync(_ =>
            {
                var current = document.State;
                foreach (var (key, step) in finished)
                {
                    current.Done.Add(key);

                    // A resumed step that finds nothing left destroyed it before a crash lost its answer: the preview is its receipt.
                    if ((step.Receipt ?? (resumed.Contains(key) ? current.Previews.GetValueOrDefault(key) : null)) is { } receipt)
                    {
                        current.Receipts.Add(receipt);
                    }

                    current.Previews.Remove(key);
                }

                return (true, true);
            });
        }

        if (steps.Select(done => done.Step.HeldUntil).Where(until => until is not null).Min() is { } heldUntil)
        {
            await DeferAsync(heldUntil);
            return false;
        }

        return true;
    }

    /// <summary>Keeps what a step is about to destroy before it first runs; <c>true</c> if an earlier run already started the step.</summary>
    private async Task<bool> PreviewAsync(string key, IErasable subject, string requestId) =>
        (await PreviewAsync([key], _ => subject, requestId)).Count > 0;

    /// <summary>
    /// Keeps what each step is about to destroy before it first runs, asked of the subjects at once and kept in one write;
    /// answers the keys whose step an earlier run already started.
    /// </summary>
    private async Task<IReadOnlySet<string>> PreviewAsync(IReadOnlyList<string> keys, Func<string, IErasable> subjectOf, string requestId)
    {
        var started = keys.Where(document.State.Previews.ContainsKey).ToHashSet(StringComparer.Ordinal);
        var previews = await Task.WhenAll(keys.Where(key => !started.Contains(key)).Select(async key => (key, Preview: await subjectOf(key).PreviewErasureAsync(requestId))));
        if (previews.Any(found => found.Preview is not null))
        {
            await document.UpdateAsync(_ =>
            {
                foreach (var (key, preview) in previews.Where(found => found.Preview is not null))
                {
                    document.State.Previews[key] = preview!;
                }

                return (true, true);
            });
        }

        return started;
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

    private IClusterGrain Cluster(string clusterKey) => reach.Grains.GetGrain<IClusterGrain>(clusterKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Privacy request {RequestId} completed: {ReceiptCount} receipt(s)")]
    private static partial void LogCompleted(ILogger logger, string requestId, int receiptCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Privacy request {RequestId} is on hold: a legal hold defers it")]
    private static partial void LogOnHold(ILogger logger, string requestId);
}
