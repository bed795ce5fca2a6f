using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Sharing;

namespace PrimeDirective.Grains.Users;

/// <summary>A person as the decision point for disclosing their data, and the keeper of their hash-chained disclosure ledger.</summary>
public sealed partial class UserGrain : IDisclosureSubject
{
    public async Task<DisclosureOutcome?> DiscloseAsync(DisclosureOrder order)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (!state.State.IsActive)
        {
            return null;
        }

        if (state.State.DisclosureLedger.FirstOrDefault(entry => entry.DisclosureId == order.DisclosureId) is { } known)
        {
            return new DisclosureOutcome(null, null, known, null, null);
        }

        var consent = Consents.Current(state.State.Consents, DataPurpose.ThirdPartySharing).Granted;
        var legal = order.Basis == DisclosureBasis.Legal && await LegalAuthorisesAsync(order);
        var decision = DisclosureRules.Decide(order, Region, time.GetUtcNow(), consent, legal);
        if (decision.Refusal is { } refusal)
        {
            return await RefuseAsync(order, refusal);
        }

        var selection = PurposeCompatibility.Select(order, (await GetAsync())!.Items);
        if (selection.NothingCompatible)
        {
            return await RefuseAsync(order, "no-item-compatible-with-purpose");
        }

        var lastSeq = await disclosures.Ledger.LastSeqAsync(state.State, Region, Key);
        var (entry, plan) = await UpdateAsync(now =>
        {
            var recorded = disclosures.Record(state.State, Region, Key, order, decision, selection, lastSeq, now);
            GaggedAudit.Record(state.State, GagOf(order), new AuditEntry(now, "disclosed", $"disclosure {order.DisclosureId}, basis {Wire(order.Basis)}"), now);
            return (true, recorded);
        });

        // Recorded before anything leaves: a crash here leaves an entry for a package never sent, never the reverse.
        await disclosures.Ledger.FlushAsync(state, Region, DeactivateOnIdle);
        var outcome = await DisclosureDesk.HandOnAsync(GrainFactory, this.GetGrainId(), entry, plan, DisclosureDesk.Package(entry, "person", Region, selection));
        LogDisclosed(logger, Key, Wire(order.Basis));
        return outcome;
    }

    private async Task<DisclosureOutcome> RefuseAsync(DisclosureOrder order, string refusal)
    {
        // Audited with the basis and the failed condition only: no recipient, no rationale.
        await UpdateAsync(now =>
        {
            GaggedAudit.Record(state.State, GagOf(order), new AuditEntry(now, "disclosure-refused", $"basis {Wire(order.Basis)}: {refusal}"), now);
            return (true, true);
        });
        LogRefused(logger, Key, Wire(order.Basis), refusal);
        return DisclosureOutcome.Refused(order.Basis, refusal);
    }

    public Task<ImmutableArray<DisclosureEntry>?> GetDisclosuresAsync() =>
        Task.FromResult<ImmutableArray<DisclosureEntry>?>(state.State.IsActive ? [.. VisibleDisclosures(time.GetUtcNow())] : null);

    /// <summary>The ledger as the person may see it at <paramref name="now"/>: entries hidden by a running gag left out.</summary>
    private IEnumerable<DisclosureEntry> VisibleDisclosures(DateTimeOffset now) =>
        state.State.DisclosureLedger.Where(entry => (entry.HiddenUntil is not { } until || until <= now) &&
            (!state.State.DisclosureGags.TryGetValue(entry.DisclosureId, out var extended) || extended <= now));

    /// <summary>The legal request whose gag hides what this order causes (its gag recorded first), or <c>null</c>.</summary>
    private string? GagOf(DisclosureOrder order)
    {
        if (order is { LegalRequestId: { } requestId, HiddenUntil: { } until })
        {
            GaggedAudit.Extend(state.State, requestId, until);
            return requestId;
        }

        return null;
    }

    public Task<ErasureRecipients?> ErasureRecipientsAsync() => Task.FromResult(state.State.UserId is null ? null : new ErasureRecipients(
        [.. state.State.DisclosureLedger.Where(entry => entry.Delivery == "push").Select(entry => entry.Recipient).Distinct(StringComparer.Ordinal)],
        [new SubjectIdentity("email", state.State.Email!), new SubjectIdentity("controller_id", state.State.UserId)]));

    public async Task<ChainVerification?> VerifyDisclosuresAsync()
    {
        // What is stored is what is verified, not what this activation remembers; evidence still owed is recorded first.
        await state.ReadStateAsync();
        await disclosures.Ledger.FlushAsync(state, Region, DeactivateOnIdle);
        return await disclosures.Ledger.VerifyAsync(state.State.UserId is null ? null : state.State, Region, Key);
    }

    public Task<ImmutableArray<SubjectPackage>> DisclosurePackagesAsync()
    {
        var visible = VisibleDisclosures(time.GetUtcNow()).Select(entry => entry.DisclosureId).ToHashSet(StringComparer.Ordinal);
        return Task.FromResult<ImmutableArray<SubjectPackage>>([.. state.State.DisclosurePackages.Select(pair => new SubjectPackage(pair.Key, !visible.Contains(pair.Value.DisclosureId)))]);
    }

    public Task<bool> StillDisclosableAsync() => Task.FromResult(state.State.IsActive);

    /// <summary>Whether a legal request decided <c>disclose</c> authorises this very disclosure; nothing else can.</summary>
    private Task<bool> LegalAuthorisesAsync(DisclosureOrder order) => LegalRequestGate.AuthorisesAsync(GrainFactory, order, Key);

    private static string Wire(DisclosureBasis basis) => WireNames.Of(basis);

    [LoggerMessage(Level = LogLevel.Information, Message = "Disclosure from account {GrainKey} refused: basis {Basis}, {Refusal}")]
    private static partial void LogRefused(ILogger logger, string grainKey, string basis, string refusal);

    [LoggerMessage(Level = LogLevel.Information, Message = "Disclosure from account {GrainKey} recorded: basis {Basis}")]
    private static partial void LogDisclosed(ILogger logger, string grainKey, string basis);
}
