using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Sharing;

namespace PrimeDirective.Grains.Clusters;

/// <summary>A cluster as the decision point for disclosing its data, and the keeper of its hash-chained disclosure ledger.</summary>
public sealed partial class ClusterGrain : IDisclosureSubject
{
    public async Task<DisclosureOutcome?> DiscloseAsync(DisclosureOrder order)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (!state.RecordExists || state.State.ClusterId is null)
        {
            return null;
        }

        if (state.State.DisclosureLedger.FirstOrDefault(entry => entry.DisclosureId == order.DisclosureId) is { } known)
        {
            return new DisclosureOutcome(null, null, known, null, null);
        }

        // A cluster is no person: nobody can have consented for it.
        var legal = order.Basis == DisclosureBasis.Legal && await LegalRequestGate.AuthorisesAsync(GrainFactory, order, Key);
        var decision = DisclosureRules.Decide(order, Region, time.GetUtcNow(), consentGranted: null, legal);
        var basis = WireNames.Of(order.Basis);
        if (decision.Refusal is { } refusal)
        {
            return await RefuseDisclosureAsync(order, basis, refusal);
        }

        // Read before the entry is written; nothing leaves until it is.
        var items = new List<HeldItem>(IdentifierItems(state.State));
        for (string? after = null; ;)
        {
            var page = await reportLog.ReadAsync(Region, Key, time.GetUtcNow(), after, ReportRows.PageSize);
            items.AddRange(page.Items);
            if ((after = page.Next) is null)
            {
                break;
            }
        }

        var selection = PurposeCompatibility.Select(order, items);
        if (selection.NothingCompatible)
        {
            return await RefuseDisclosureAsync(order, basis, "no-item-compatible-with-purpose");
        }

        var lastSeq = await disclosures.Ledger.LastSeqAsync(state.State, Region, Key);
        var (entry, plan) = await UpdateAsync(now =>
        {
            var recorded = disclosures.Record(state.State, Region, Key, order, decision, selection, lastSeq, now);
            state.State.Audit.Add(new AuditEntry(now, "disclosed", $"disclosure {order.DisclosureId}, basis {basis}"));
            return (true, recorded);
        });

        // The ledger entry (and its evidence) is written before anything leaves.
        await disclosures.Ledger.FlushAsync(state, Region, DeactivateOnIdle);
        var outcome = await DisclosureDesk.HandOnAsync(GrainFactory, this.GetGrainId(), entry, plan, DisclosureDesk.Package(entry, "cluster", Region, selection));
        LogDisclosure(logger, Key, basis, "recorded");
        return outcome;
    }

    private async Task<DisclosureOutcome> RefuseDisclosureAsync(DisclosureOrder order, string basis, string refusal)
    {
        await UpdateAsync(now =>
        {
            state.State.Audit.Add(new AuditEntry(now, "disclosure-refused", $"basis {basis}: {refusal}"));
            return (true, true);
        });
        LogDisclosure(logger, Key, basis, refusal);
        return DisclosureOutcome.Refused(order.Basis, refusal);
    }

    public Task<ImmutableArray<DisclosureEntry>?> GetDisclosuresAsync()
    {
        var now = time.GetUtcNow();
        return Task.FromResult<ImmutableArray<DisclosureEntry>?>(state.RecordExists && state.State.ClusterId is not null
            ? [.. state.State.DisclosureLedger.Where(entry => entry.HiddenUntil is not { } until || until <= now)]
            : null);
    }

    public Task<ErasureRecipients?> ErasureRecipientsAsync() => Task.FromResult(state.State.ClusterId is null ? null : new ErasureRecipients(
        [.. state.State.DisclosureLedger.Where(entry => entry.Delivery == "push").Select(entry => entry.Recipient).Distinct(StringComparer.Ordinal)],
        [new SubjectIdentity("cluster_id", state.State.ClusterId)]));

    public async Task<ChainVerification?> VerifyDisclosuresAsync()
    {
        // What is stored is what is verified, not what this activation remembers; evidence still owed is recorded first.
        await state.ReadStateAsync();
        if (state.State.ClusterId is not null)
        {
            await disclosures.Ledger.FlushAsync(state, Region, DeactivateOnIdle);
        }
        else
        {
            await disclosures.Ledger.RecordOwedAsync(state.State, Region);
        }

        return await disclosures.Ledger.VerifyAsync(state.State.ClusterId is null ? null : state.State, Region, Key);
    }

    public Task<ImmutableArray<SubjectPackage>> DisclosurePackagesAsync()
    {
        var now = time.GetUtcNow();
        var hidden = state.State.DisclosureLedger.Where(entry => entry.HiddenUntil > now).Select(entry => entry.DisclosureId).ToHashSet(StringComparer.Ordinal);
        return Task.FromResult<ImmutableArray<SubjectPackage>>([.. state.State.DisclosurePackages.Select(pair => new SubjectPackage(pair.Key, hidden.Contains(pair.Value.DisclosureId)))]);
    }

    public Task<bool> StillDisclosableAsync() =>
        Task.FromResult(state.RecordExists && state.State.ClusterId is not null && state.State.AcceptedErasures.Count == 0);

    [LoggerMessage(Level = LogLevel.Information, Message = "Disclosure from cluster {GrainKey}: basis {Basis}, {Outcome}")]
    private static partial void LogDisclosure(ILogger logger, string grainKey, string basis, string outcome);
}
