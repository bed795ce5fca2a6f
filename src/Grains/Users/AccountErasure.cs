using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Notices;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Users;

/// <summary>
/// An account's erasure, step by step for the request that drives it: closed first (its tokens stop), then destroyed in
/// one write that leaves only the proof of the destruction (and the disclosure ledger's evidence), unless a legal hold
/// defers it. The proofs reach the ledgers before the row itself is deleted; activation completes an interrupted step.
/// </summary>
public sealed partial class AccountErasure(
    IPersistentState<UserState> state,
    UserKeys keys,
    ClusterKeys clusterKeys,
    IDestructionLedger ledger,
    ISubjectRegistry registry,
    IPersonNoticeLog noticeRows,
    SubjectDisclosures<UserState> disclosures,
    SubjectOutbox<UserState> outbox,
    LegalHolds<UserState> holds,
    PersonLegalRequests legalRequests,
    Dormancy dormancy,
    KeyShredder shredder,
    TimeProvider time,
    ISubjectHost host,
    ILogger logger)
{
    /// <summary>First step: the account is closed (its tokens stop) and the plan of what else to erase returned; <c>null</c> if unknown.</summary>
    public async Task<ErasurePlan?> CloseAsync(string requestId)
    {
        if (state.State.UserId is null)
        {
            return null;
        }

        await state.UpdateAsync(time, now =>
        {
            if (state.State.ClosedBy is not null)
            {
                return (false, true);
            }

            state.State.ClosedBy = requestId;
            state.State.Audit.Add(new AuditEntry(now, "account-closed", $"erasure {requestId}: tokens revoked"));
            return (true, true);
        }, host.DeactivateOnIdle);

        // A closed account is being erased: it no longer grows dormant.
        await dormancy.DisarmAsync();
        var current = state.State;
        string?[] addresses = [current.Email, current.PendingEmail, current.ReleasingEmail];
        return new ErasurePlan(
            host.Key,
            [.. addresses.OfType<string>().Distinct(StringComparer.Ordinal).Select(email => keys.ForEmail(host.Region, email))],
            [.. current.Links.Values.Select(link => clusterKeys.For(link.Region, link.ClusterId))]);
    }

    /// <summary>What erasing now would destroy, as the person's receipt shows it; <c>null</c> if unknown.</summary>
    public ErasureReceipt? Preview(string requestId) =>
        state.State.UserId is not null ? new ErasureReceipt(requestId, host.Region, time.GetUtcNow(), Counts(asThePersonSees: true), "account") : null;

    /// <summary>Last step: the account's state is destroyed, unless a legal hold defers it.</summary>
    public async Task<ErasureStep> EraseAsync(string requestId)
    {
        if (state.State.UserId is null)
        {
            return ErasureStep.Nothing;
        }

        if (await holds.DeferAsync(requestId) is { } hold)
        {
            return ErasureStep.Held(hold);
        }

        // The data key first: every copy of the account's sealed state (backups, dumps, replicas) stops opening.
        var fence = await shredder.ShredAsync(host.Region, host.Key);

        await legalRequests.ForgetAllAsync();

        // Nothing sent to the person stays behind in the outbox's files (before the write: a crash repeats it).
        await outbox.DestroyCopiesAsync();

        var lastSeq = state.State.DisclosureLedger.Count > 0 ? await disclosures.LastSeqAsync() : 0;
        var counts = await state.UpdateAsync(time, now =>
        {
            if (state.State.UserId is null)
            {
                return (false, (ImmutableDictionary<DataCategory, int>?)null);
            }

            var receipt = Counts(asThePersonSees: true);
            var erased = new UserState { PendingProofs = [.. state.State.PendingProofs, DestructionProof.New("account", "request", Counts(), now)] };
            disclosures.CarryDestruction(erased, "request", lastSeq, now);
            state.State = erased;
            return (true, receipt);
        }, host.DeactivateOnIdle);
        if (counts is null)
        {
            return ErasureStep.Nothing;
        }

        await CompleteAsync();
        await registry.RemoveAsync(host.Region, host.Key);
        LogErased(logger, host.Key);
        return new ErasureStep(new ErasureReceipt(requestId, host.Region, time.GetUtcNow(), counts, "account", fence?.Fingerprint), null);
    }

    /// <summary>
    /// Records pending proofs of destruction; a row that no longer names an account (an erasure interrupted after its
    /// first write) is then deleted. Runs at activation too, so a crash in between is completed.
    /// </summary>
    public async Task CompleteAsync()
    {
        await DestructionProofs.FlushAsync(state, ledger, host.Region, host.DeactivateOnIdle);
        await disclosures.FlushAsync();
        if (!state.RecordExists || state.State.UserId is not null)
        {
            return;
        }

        // The notices kept as rows (V028) go before the state that is the erasure's last trace; a repeat deletes nothing.
        await noticeRows.DeletePersonAsync(host.Region, host.Key);

        // The key the proofs were sealed under (made after the account's own key was shredded) goes before the row.
        await shredder.ShredAsync(host.Region, host.Key);
        if (await state.DeleteAsync(() => state.RecordExists && state.State.UserId is null, host.DeactivateOnIdle))
        {
            // Nothing is left to grow dormant, nor to deliver.
            await dormancy.DisarmAsync();
            await outbox.DisarmWhenIdleAsync();
            host.DeactivateOnIdle();
        }
    }

    /// <summary>What erasure destroys; the person's receipt leaves out ledger entries a running gag hides (the region's ledger counts them).</summary>
    private ImmutableDictionary<DataCategory, int> Counts(bool asThePersonSees = false)
    {
        var current = state.State;
        var disclosed = asThePersonSees ? disclosures.Visible(time.GetUtcNow()).Count() : current.DisclosureLedger.Count;
        return ImmutableDictionary<DataCategory, int>.Empty
            .Add(DataCategory.Identifier, 1 + current.Links.Count)
            .Add(DataCategory.Account, 3 + current.Consents.Count + current.Notifications.Count + current.Requests.Count + disclosed)
            .AddRange(current.ThirdPartyRecords.Count > 0 ? [KeyValuePair.Create(DataCategory.ThirdPartyRecord, current.ThirdPartyRecords.Count)] : []);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {GrainKey} erased")]
    private static partial void LogErased(ILogger logger, string grainKey);
}
