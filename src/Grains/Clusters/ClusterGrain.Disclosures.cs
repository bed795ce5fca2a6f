using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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
        var basis = System.Text.Json.JsonSerializer.Serialize(order.Basis).Trim('"');
        if (decision.Refusal is { } refusal)
        {
            await UpdateAsync(now =>
            {
                state.State.Audit.Add(new AuditEntry(now, "disclosure-refused", $"basis {basis}: {refusal}"));
                return (true, true);
            });
            LogDisclosure(logger, Key, basis, refusal);
            return DisclosureOutcome.Refused(order.Basis, refusal);
        }

        var entry = await UpdateAsync(now =>
        {
            var appended = DisclosureLedger.Append(state.State, DisclosureDesk.Entry(order, decision, now));
            state.State.Audit.Add(new AuditEntry(now, "disclosed", $"disclosure {order.DisclosureId}, basis {basis}"));
            return (true, appended);
        });

        // The ledger entry is written before anything leaves.
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

        var json = DisclosureDesk.Package(entry, "cluster", Region, items);
        var sharing = ServiceProvider.GetRequiredService<IOptions<SharingOptions>>().Value;
        var (secret, expiresAt) = await DisclosureDesk.HandOnAsync(GrainFactory, Region, entry, json, time.GetUtcNow(), sharing.PackageLifetime);
        LogDisclosure(logger, Key, basis, "recorded");
        return new DisclosureOutcome(null, null, entry, secret, expiresAt);
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
        // What is stored is what is verified, not what this activation remembers.
        await state.ReadStateAsync();
        return state.State.ClusterId is null ? null : DisclosureLedger.Verify(state.State);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Disclosure from cluster {GrainKey}: basis {Basis}, {Outcome}")]
    private static partial void LogDisclosure(ILogger logger, string grainKey, string basis, string outcome);
}
