using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Clusters;

/// <summary>Erasure of a cluster: by its operator's request or a linked account's, deferred while a legal hold runs.</summary>
public sealed partial class ClusterGrain
{
    public async Task<PrivacyRequestView?> RequestErasureAsync(string bootstrapProof, string requestId, string capabilityHash)
    {
        if (!Proves(bootstrapProof))
        {
            return null;
        }

        var resubmitAt = time.GetUtcNow() + requests.Value.RetryPeriod;
        await UpdateAsync(_ =>
        {
            var current = state.State;
            if (current.AcceptedErasures.Contains(requestId))
            {
                return (false, true);
            }

            current.AcceptedErasures.Add(requestId);
            current.UnconfirmedErasures.Add(new ClusterState.UnconfirmedErasure(requestId, capabilityHash, resubmitAt));
            return (true, true);
        });

        // Armed before the submission: if it fails, or we crash now, the reminder submits the request again.
        await ArmRetentionAsync();
        await faults.BeforeStepAsync(requestId, "submit");

        // A new request does not call us back within its submission (it runs on its own timer), so awaiting it is safe here.
        var view = await GrainFactory.GetGrain<IPrivacyRequestGrain>(UserKeys.ForRequest(requestId))
            .SubmitClusterErasureAsync(new ClusterErasureSubmission(this.GetPrimaryKeyString(), capabilityHash));
        await ConfirmSubmittedAsync(requestId);
        return view;
    }

    public async Task<ErasureStep> EraseForRequestAsync(string requestId)
    {
        await ConfirmSubmittedAsync(requestId);
        return await EraseWhileAsync(() => state.RecordExists && state.State.AcceptedErasures.Contains(requestId), requestId);
    }

    /// <summary>The request exists and runs: the reminder no longer needs to submit it.</summary>
    private Task<bool> ConfirmSubmittedAsync(string requestId) =>
        UpdateAsync(_ => (state.RecordExists && state.State.UnconfirmedErasures.RemoveAll(pending => pending.RequestId == requestId) > 0, true));

    /// <summary>Submits again, one-way, each accepted erasure whose request has not confirmed it exists by now.</summary>
    private async Task ResubmitUnconfirmedErasuresAsync(DateTimeOffset now)
    {
        var next = now + requests.Value.RetryPeriod;
        var due = await UpdateAsync(_ =>
        {
            var current = state.State;
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
            await GrainFactory.GetGrain<IPrivacyRequestGrain>(UserKeys.ForRequest(pending.RequestId))
                .ResubmitClusterErasureAsync(new ClusterErasureSubmission(this.GetPrimaryKeyString(), pending.CapabilityHash));
        }
    }

    public Task<ErasureStep> EraseForLinkAsync(string userKey, string requestId) =>
        EraseWhileAsync(() => IsLinkedTo(userKey), requestId);

    public async Task<ErasureReceipt?> PreviewErasureAsync(string requestId) =>
        state.State.ClusterId is not null
            ? new ErasureReceipt(requestId, Region, time.GetUtcNow(), Sum(IdentifierCounts(), await reportLog.CountAsync(Region, Key)), "cluster")
            : null;

    private ImmutableDictionary<DataCategory, int> IdentifierCounts() =>
        IdentifierItems(state.State).GroupBy(item => item.Category).ToImmutableDictionary(group => group.Key, group => group.Count());

    private static ImmutableDictionary<DataCategory, int> Sum(ImmutableDictionary<DataCategory, int> left, ImmutableDictionary<DataCategory, int> right) =>
        right.Aggregate(left, (sum, pair) => sum.SetItem(pair.Key, sum.GetValueOrDefault(pair.Key) + pair.Value));

    /// <summary>Erases the cluster if <paramref name="allowed"/> holds (checked again after a write conflict), unless held.</summary>
    private async Task<ErasureStep> EraseWhileAsync(Func<bool> allowed, string requestId)
    {
        if (!allowed())
        {
            return ErasureStep.Nothing;
        }

        if (state.State.LegalHold is { } hold && ExpirySchedule.Defers(hold, time.GetUtcNow()))
        {
            await UpdateAsync(now => (LegalHolds.Defer(state.State, requestId, now), true));
            return ErasureStep.Held(hold);
        }

        if (await DestroyAsync("request", allowed) is not { } counts)
        {
            return ErasureStep.Nothing;
        }

        LogErased(logger, this.GetPrimaryKeyString());
        return new ErasureStep(new ErasureReceipt(requestId, Region, time.GetUtcNow(), counts, "cluster"), null);
    }

    /// <summary>
    /// Destroys everything about the cluster if <paramref name="allowed"/> holds (its reports already gone if
    /// <paramref name="reportsDeleted"/>): one write leaves only the proof of it,
    /// which goes to the ledger before the row itself is deleted. <c>null</c> if not allowed (any more).
    /// </summary>
    private async Task<ImmutableDictionary<DataCategory, int>?> DestroyAsync(string why, Func<bool> allowed, bool reportsDeleted = false)
    {
        if (!allowed())
        {
            return null;
        }

        // The reports first (their count goes to the ledger with their deletion), then the rest in one write.
        var reports = reportsDeleted
            ? new ReportDeletion(ImmutableDictionary<DataCategory, int>.Empty, null)
            : await reportLog.DeleteAsync(Region, Key, time.GetUtcNow(), all: true, "cluster", why);
        var lastSeq = state.State.DisclosureLedger.Count > 0 ? await disclosures.Ledger.LastSeqAsync(state.State, Region, Key) : 0;
        var destroyed = await UpdateAsync(now =>
        {
            if (!allowed())
            {
                return (false, (ImmutableDictionary<DataCategory, int>?)null);
            }

            var counts = IdentifierCounts();
            var destroyed = new ClusterState { PendingProofs = [.. state.State.PendingProofs, DestructionProof.New("cluster", why, counts, now)] };
            disclosures.Ledger.CarryDestruction(state.State, destroyed, Key, why, lastSeq, now);
            state.State = destroyed;
            return (true, counts);
        });
        if (destroyed is null)
        {
            return null;
        }

        await CompleteDestructionAsync();
        return Sum(destroyed, reports.Destroyed);
    }

    /// <summary>
    /// Records pending proofs of destruction; a row that no longer identifies a cluster (a destruction interrupted after
    /// its first write) is then deleted with its reminder. Runs at activation too, so a crash in between is completed.
    /// </summary>
    private async Task CompleteDestructionAsync()
    {
        // A row left holding only proofs goes with them once they are recorded: no write to drop them first.
        var recorded = state.RecordExists && state.State.ClusterId is null
            ? await DestructionProofs.RecordAsync(state, ledger, Region)
            : null;
        if (recorded is null)
        {
            await DestructionProofs.FlushAsync(state, ledger, Region, DeactivateOnIdle);
            await disclosures.Ledger.FlushAsync(state, Region, DeactivateOnIdle);
        }
        else
        {
            // The evidence of the ledger's destruction is recorded before the row that owes it goes.
            await disclosures.Ledger.RecordOwedAsync(state.State, Region);
        }

        if (state.RecordExists && state.State.ClusterId is null &&
            await state.DeleteAsync(() => state.RecordExists && state.State.ClusterId is null && state.State.PendingProofs.All(proof => recorded?.Contains(proof.Id) ?? true), DeactivateOnIdle))
        {
            await DisarmRetentionAsync();
            await Registry.RemoveAsync(Region, Key);
            DeactivateOnIdle();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Erasure request {RequestId} had not arrived; submitted again")]
    private static partial void LogResubmitted(ILogger logger, string requestId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {GrainKey} erased")]
    private static partial void LogErased(ILogger logger, string grainKey);
}
