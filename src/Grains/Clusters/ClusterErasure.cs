using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Notices;
using PrimeDirective.Grains.Requests;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Clusters;

/// <summary>
/// Erasure of a cluster (owns <see cref="ClusterState.AcceptedErasures"/>, <see cref="ClusterState.UnconfirmedErasures"/>
/// and <see cref="ClusterState.PendingProofs"/>): by its operator's request or a linked account's, deferred while a legal
/// hold runs. Destruction is one write that leaves only its proof, which goes to the ledger before the row is deleted.
/// </summary>
/// <param name="document">The cluster's state.</param>
/// <param name="reports">Its report rows.</param>
/// <param name="parts">Where the cluster's erasure reaches beyond its state (ledgers, registry, request workflows).</param>
/// <param name="requests">The request workflows' options: how soon an unconfirmed submission is made again.</param>
/// <param name="logger">The grain's logger.</param>
/// <param name="region">The cluster's region.</param>
/// <param name="key">The cluster's grain key.</param>
public sealed partial class ClusterErasure(
    SubjectDocument<ClusterState> document, ClusterReports reports, ClusterErasure.Reach parts, RequestOptions requests, ILogger logger, string region, string key)
{
    /// <summary>What erasing a cluster touches outside its own state.</summary>
    public sealed record Reach(
        IDestructionLedger Ledger, DisclosureLedger Disclosures, ISubjectRegistry Registry, IGrainFactory Grains, IPrivacyRequestFaults Faults, KeyShredder Shredder);

    /// <summary>
    /// Records the operator's request (once), then submits the request workflow; <paramref name="armRetention"/> runs in
    /// between, so if the submission fails, or we crash, the reminder submits it again.
    /// </summary>
    public async Task<PrivacyRequestView> RequestAsync(string requestId, string capabilityHash, Func<Task> armRetention)
    {
        ArgumentNullException.ThrowIfNull(armRetention);
        var resubmitAt = document.Now + requests.RetryPeriod;
        await document.UpdateAsync(_ =>
        {
            var current = document.State;
            if (current.AcceptedErasures.Contains(requestId))
            {
                return (false, true);
            }

            current.AcceptedErasures.Add(requestId);
            current.UnconfirmedErasures.Add(new ClusterState.UnconfirmedErasure(requestId, capabilityHash, resubmitAt));
            return (true, true);
        });
        await armRetention();
        await parts.Faults.BeforeStepAsync(requestId, "submit");

        // A new request does not call us back within its submission (it runs on its own timer), so awaiting it is safe here.
        var view = await Request(requestId).SubmitClusterErasureAsync(new ClusterErasureSubmission(key, capabilityHash));
        await ConfirmSubmittedAsync(requestId);
        return view;
    }

    /// <summary>The request exists and runs: the reminder no longer needs to submit it.</summary>
    public Task<bool> ConfirmSubmittedAsync(string requestId) =>
        document.UpdateAsync(_ => (document.RecordExists && document.State.UnconfirmedErasures.RemoveAll(pending => pending.RequestId == requestId) > 0, true));

    /// <summary>Submits again, one-way, each accepted erasure whose request has not confirmed it exists by <paramref name="now"/>.</summary>
    public async Task ResubmitDueAsync(DateTimeOffset now)
    {
        var next = now + requests.RetryPeriod;
        var due = await document.UpdateAsync(_ =>
        {
            var current = document.State;
            var due = current.UnconfirmedErasures.Where(pending => pending.ResubmitAt <= now).ToList();
            foreach (var pending in due)
            {
                current.UnconfirmedErasures[current.UnconfirmedErasures.IndexOf(pending)] = pending with { ResubmitAt = next };
            }

            return (due.Count > 0, due);
        });
        foreach (var pending in due)
        {
            LogResubmitted(logger, pending.RequestId);
            await Request(pending.RequestId).ResubmitClusterErasureAsync(new ClusterErasureSubmission(key, pending.CapabilityHash));
        }
    }

    /// <summary>Whether the operator's request <paramref name="requestId"/> was accepted by this cluster.</summary>
    public bool Accepted(string requestId) => document.RecordExists && document.State.AcceptedErasures.Contains(requestId);

    /// <summary>What erasing the cluster now would destroy; <c>null</c> if it is gone.</summary>
    public async Task<ErasureReceipt?> PreviewAsync(string requestId) =>
        document.State.ClusterId is not null
            ? new ErasureReceipt(requestId, region, document.Now, Sum(ClusterIdentifiers.Counts(document.State), await reports.CountAsync()), "cluster")
            : null;

    /// <summary>Erases the cluster if <paramref name="allowed"/> holds (checked again after a write conflict), unless held.</summary>
    public async Task<ErasureStep> EraseAsync(Func<bool> allowed, string requestId, Func<Task> whenGone)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        if (!allowed())
        {
            return ErasureStep.Nothing;
        }

        if (document.State.LegalHold is { } hold && ExpirySchedule.Defers(hold, document.Now))
        {
            await document.UpdateAsync(now => (LegalHolds.Defer(document.State, requestId, now), true));
            return ErasureStep.Held(hold);
        }

        // The data key first: every copy of the cluster's sealed state and values stops opening.
        var fence = await parts.Shredder.ShredAsync(region, key);
        if (document.State.MayHaveHoldKeys())
        {
            // No hold is in force (else the erasure waits): the keys its values were re-sealed under go too.
            await parts.Shredder.ShredNamedFromAsync(region, ReportAddressSealing.HoldKeyPrefix(key));
        }

        if (await DestroyAsync("request", allowed, whenGone) is not { } counts)
        {
            return ErasureStep.Nothing;
        }

        LogErased(logger, key);
        return new ErasureStep(new ErasureReceipt(requestId, region, document.Now, counts, "cluster", fence?.Fingerprint), null);
    }

    /// <summary>
    /// Destroys everything about the cluster if <paramref name="allowed"/> holds (its reports already gone if
    /// <paramref name="reportsDeleted"/>): one write leaves only the proof of it, which goes to the ledger before the row
    /// itself is deleted. <c>null</c> if not allowed (any more).
    /// </summary>
    public async Task<ImmutableDictionary<DataCategory, int>?> DestroyAsync(string why, Func<bool> allowed, Func<Task> whenGone, bool reportsDeleted = false)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        if (!allowed())
        {
            return null;
        }

        // The reports first (their count goes to the ledger with their deletion), then the rest in one write.
        var deleted = reportsDeleted ? ImmutableDictionary<DataCategory, int>.Empty : (await reports.DeleteAsync(document.Now, all: true, why)).Destroyed;
        var lastSeq = document.State.DisclosureLedger.Count > 0 ? await parts.Disclosures.LastSeqAsync(document.State, region, key) : 0;
        var destroyed = await document.UpdateAsync(now =>
        {
            if (!allowed())
            {
                return (false, (ImmutableDictionary<DataCategory, int>?)null);
            }

            var counts = ClusterIdentifiers.Counts(document.State);
            var emptied = new ClusterState { PendingProofs = [.. document.State.PendingProofs, DestructionProof.New("cluster", why, counts, now)] };
            parts.Disclosures.CarryDestruction(document.State, emptied, key, why, lastSeq, now);
            document.Persisted.State = emptied;
            return (true, counts);
        });
        if (destroyed is null)
        {
            return null;
        }

        await CompleteDestructionAsync(whenGone);
        return Sum(destroyed, deleted);
    }

    /// <summary>
    /// Records pending proofs of destruction; a row that no longer identifies a cluster (a destruction interrupted after
    /// its first write) is then deleted, and <paramref name="whenGone"/> runs. Runs at activation too, so a crash in between is completed.
    /// </summary>
    public async Task CompleteDestructionAsync(Func<Task> whenGone)
    {
        ArgumentNullException.ThrowIfNull(whenGone);
        var state = document.Persisted;

        // A row left holding only proofs goes with them once they are recorded: no write to drop them first.
        var recorded = state.RecordExists && state.State.ClusterId is null
            ? await DestructionProofs.RecordAsync(state, parts.Ledger, region)
            : null;
        if (recorded is null)
        {
            await DestructionProofs.FlushAsync(state, parts.Ledger, region, document.OnUnknownOutcome);
            await parts.Disclosures.FlushAsync(state, region, document.OnUnknownOutcome);
        }
        else
        {
            // The evidence of the ledger's destruction is recorded before the row that owes it goes.
            await parts.Disclosures.RecordOwedAsync(state.State, region);
        }

        if (state.RecordExists && state.State.ClusterId is null &&
            await state.DeleteAsync(() => state.RecordExists && state.State.ClusterId is null && state.State.PendingProofs.All(proof => recorded?.Contains(proof.Id) ?? true), document.OnUnknownOutcome))
        {
            await whenGone();
            await parts.Registry.RemoveAsync(region, key);
        }
    }

    /// <summary>
    /// Nothing left that we collected for a purpose, no opt-out to honour, nobody linked, no hold, no erasure under way:
    /// the ids may go too. Decided again after a write conflict (another activation may just have stored a report).
    /// </summary>
    public static bool IsForgettable(ClusterState current, bool reportsLeft = true)
    {
        ArgumentNullException.ThrowIfNull(current);
        return (current.EarliestReportExpiry is null || !reportsLeft) && current.Items.Count == 0 && !current.TelemetryDisabled &&
            current.Links.Count == 0 && current.LegalHold is null && current.AcceptedErasures.Count == 0;
    }

    private IPrivacyRequestGrain Request(string requestId) => parts.Grains.GetGrain<IPrivacyRequestGrain>(UserKeys.ForRequest(requestId));

    private static ImmutableDictionary<DataCategory, int> Sum(ImmutableDictionary<DataCategory, int> left, ImmutableDictionary<DataCategory, int> right) =>
        right.Aggregate(left, (sum, pair) => sum.SetItem(pair.Key, sum.GetValueOrDefault(pair.Key) + pair.Value));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Erasure request {RequestId} had not arrived; submitted again")]
    private static partial void LogResubmitted(ILogger logger, string requestId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {GrainKey} erased")]
    private static partial void LogErased(ILogger logger, string grainKey);
}
