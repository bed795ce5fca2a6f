using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Sharing;

/// <summary>A subject's state that keeps gags extended beside its chained entries (an extension must not rewrite a hashed entry).</summary>
public interface IDisclosureGagState
{
    /// <summary>Extended gags by disclosure id: the entry stays hidden from the subject until then.</summary>
    Dictionary<string, DateTimeOffset> DisclosureGags { get; }
}

/// <summary>What differs between kinds of subject that disclose: the rest is <see cref="SubjectDisclosures{TState}"/>.</summary>
/// <param name="Kind">How the package and the log name the subject (<c>person</c>, <c>cluster</c>).</param>
/// <param name="Active">Whether the subject may disclose and show its ledger now.</param>
/// <param name="Keeps">Whether the state still holds the subject (and so its ledger), even while it is being erased.</param>
/// <param name="Consent">Whether the subject granted third-party sharing; <c>null</c>: nobody can consent for it.</param>
/// <param name="Items">Everything held about the subject, read before the entry is written.</param>
/// <param name="Audit">Records an audit entry about <see cref="DisclosureOrder"/> (inside the write).</param>
public sealed record DisclosingSubject<TState>(
    string Kind,
    Func<bool> Active,
    Func<TState, bool> Keeps,
    Func<TState, bool?> Consent,
    Func<Task<IReadOnlyList<HeldItem>>> Items,
    Action<TState, DisclosureOrder, AuditEntry, DateTimeOffset> Audit);

/// <summary>
/// A subject as the one decision point for disclosing its data and the keeper of its hash-chained ledger (people and
/// clusters alike): the basis decided now, a refusal audited with the failed condition only, an entry recorded (and its
/// evidence flushed) before anything leaves, then the package handed on. Built on <see cref="DisclosureDesk"/> and its
/// <see cref="DisclosureLedger"/>.
/// </summary>
public sealed partial class SubjectDisclosures<TState>(
    IPersistentState<TState> state,
    DisclosureDesk desk,
    IGrainFactory grains,
    TimeProvider time,
    ISubjectHost host,
    DisclosingSubject<TState> subject,
    ILogger logger)
    where TState : IDisclosureLedgerState, IBoundedState
{
    /// <summary>Discloses if the order's basis holds now; <c>null</c> if the subject may not disclose (unknown, or being erased).</summary>
    public async Task<DisclosureOutcome?> DiscloseAsync(DisclosureOrder order)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (!subject.Active())
        {
            return null;
        }

        if (state.State.DisclosureLedger.FirstOrDefault(entry => entry.DisclosureId == order.DisclosureId) is { } known)
        {
            return new DisclosureOutcome(null, null, known, null, null);
        }

        // Only a legal request decided "disclose" authorises a legal disclosure, and only this very one.
        var legal = order.Basis == DisclosureBasis.Legal && await LegalRequestGate.AuthorisesAsync(grains, order, host.Key);
        var decision = DisclosureRules.Decide(order, host.Region, time.GetUtcNow(), subject.Consent(state.State), legal);
        if (decision.Refusal is { } refusal)
        {
            return await RefuseAsync(order, refusal);
        }

        var selection = PurposeCompatibility.Select(order, await subject.Items());
        if (selection.NothingCompatible)
        {
            return await RefuseAsync(order, "no-item-compatible-with-purpose");
        }

        var lastSeq = await LastSeqAsync();
        var (entry, plan) = await state.UpdateAsync(time, now =>
        {
            var recorded = desk.Record(state.State, host.Region, host.Key, order, decision, selection, lastSeq, now);
            subject.Audit(state.State, order, new AuditEntry(now, "disclosed", $"disclosure {order.DisclosureId}, basis {WireNames.Of(order.Basis)}"), now);
            return (true, recorded);
        }, host.DeactivateOnIdle);

        // Recorded before anything leaves: a crash here leaves an entry for a package never sent, never the reverse.
        await FlushAsync();
        desk.Metrics?.Made(host.Region, order.Basis);
        var outcome = await DisclosureDesk.HandOnAsync(grains, host.Id, entry, plan, DisclosureDesk.Package(entry, subject.Kind, host.Region, selection));
        LogDisclosure(logger, subject.Kind, host.Key, WireNames.Of(order.Basis), "recorded");
        return outcome;
    }

    /// <summary>
    /// Records a release the person consented to for exactly this recipient (a confirmed access request): the entry names
    /// every category held, as the export carries them all, and is flushed to the evidence before the caller releases
    /// anything; <c>null</c> if the subject may not disclose.
    /// </summary>
    public async Task<DisclosureEntry?> RecordConsentedReleaseAsync(DisclosureOrder order)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.Basis != DisclosureBasis.Consent)
        {
            throw new ArgumentException("A consented release has basis consent.", nameof(order));
        }

        if (!subject.Active())
        {
            return null;
        }

        if (state.State.DisclosureLedger.FirstOrDefault(entry => entry.DisclosureId == order.DisclosureId) is { } known)
        {
            return known;
        }

        var categories = (await subject.Items()).Select(item => item.Category).Distinct().Order().ToImmutableArray();
        var lastSeq = await LastSeqAsync();
        var recorded = await state.UpdateAsync(time, now =>
        {
            var entry = desk.Ledger.Append(state.State, host.Key, new DisclosureEntry(
                order.DisclosureId, now, order.Recipient, DisclosureBasis.Consent, categories, order.Purpose, order.Rationale, null, "capability",
                false, null, null, string.Empty, string.Empty), lastSeq, now);
            subject.Audit(state.State, order, new AuditEntry(now, "disclosed", $"disclosure {order.DisclosureId}, basis {WireNames.Of(order.Basis)}"), now);
            return (true, entry);
        }, host.DeactivateOnIdle);
        await FlushAsync();
        desk.Metrics?.Made(host.Region, order.Basis);
        LogDisclosure(logger, subject.Kind, host.Key, WireNames.Of(order.Basis), "released");
        return recorded;
    }

    private async Task<DisclosureOutcome> RefuseAsync(DisclosureOrder order, string refusal)
    {
        // Audited with the basis and the failed condition only: no recipient, no rationale.
        await state.UpdateAsync(time, now =>
        {
            subject.Audit(state.State, order, new AuditEntry(now, "disclosure-refused", $"basis {WireNames.Of(order.Basis)}: {refusal}"), now);
            return (true, true);
        }, host.DeactivateOnIdle);
        LogDisclosure(logger, subject.Kind, host.Key, WireNames.Of(order.Basis), refusal);
        desk.Metrics?.Refused(host.Region, order.Basis);
        return DisclosureOutcome.Refused(order.Basis, refusal);
    }

    /// <summary>The ledger as the subject may see it now; <c>null</c> if it may not (unknown, or being erased).</summary>
    public ImmutableArray<DisclosureEntry>? Get() => subject.Active() ? [.. Visible(time.GetUtcNow())] : null;

    /// <summary>The ledger as the subject may see it at <paramref name="now"/>: entries hidden by a running gag left out.</summary>
    public IEnumerable<DisclosureEntry> Visible(DateTimeOffset now) =>
        state.State.DisclosureLedger.Where(entry => (entry.HiddenUntil is not { } until || until <= now) &&
            (state.State is not IDisclosureGagState gags || !gags.DisclosureGags.TryGetValue(entry.DisclosureId, out var extended) || extended <= now));

    /// <summary>The processors that received the subject's data by push, with <paramref name="identities"/>; <c>null</c> if the subject is gone.</summary>
    public ErasureRecipients? Recipients(params SubjectIdentity[] identities) => !subject.Keeps(state.State) ? null : new ErasureRecipients(
        [.. state.State.DisclosureLedger.Where(entry => entry.Delivery == "push").Select(entry => entry.Recipient).Distinct(StringComparer.Ordinal)],
        [.. identities]);

    /// <summary>Re-reads the stored ledger (not what this activation remembers) and verifies it; evidence still owed is recorded first.</summary>
    public async Task<ChainVerification?> VerifyAsync()
    {
        await state.ReadStateAsync();
        var keeps = subject.Keeps(state.State);
        if (keeps)
        {
            await FlushAsync();
        }
        else
        {
            await desk.Ledger.RecordOwedAsync(state.State, host.Region);
        }

        return await desk.Ledger.VerifyAsync(keeps ? state.State : null, host.Region, host.Key);
    }

    /// <summary>The subject's packages that may still exist, each with whether a gag hides its disclosure now.</summary>
    public ImmutableArray<SubjectPackage> Packages()
    {
        var visible = Visible(time.GetUtcNow()).Select(entry => entry.DisclosureId).ToHashSet(StringComparer.Ordinal);
        return [.. state.State.DisclosurePackages.Select(pair => new SubjectPackage(pair.Key, !visible.Contains(pair.Value.DisclosureId)))];
    }

    /// <summary>The sequence number the next evidence row follows; asked before the write that owes one.</summary>
    public Task<int> LastSeqAsync() => desk.Ledger.LastSeqAsync(state.State, host.Region, host.Key);

    /// <summary>Inside the write that destroys the subject: what outlives it moves to <paramref name="erased"/>.</summary>
    public void CarryDestruction(TState erased, string why, int lastSeq, DateTimeOffset now) =>
        desk.Ledger.CarryDestruction(state.State, erased, host.Key, why, lastSeq, now);

    /// <summary>Records the evidence owed, then drops it from the state.</summary>
    public Task FlushAsync() => desk.Ledger.FlushAsync(state, host.Region, host.DeactivateOnIdle);

    [LoggerMessage(Level = LogLevel.Information, Message = "Disclosure from {SubjectKind} {GrainKey}: basis {Basis}, {Outcome}")]
    private static partial void LogDisclosure(ILogger logger, string subjectKind, string grainKey, string basis, string outcome);
}
