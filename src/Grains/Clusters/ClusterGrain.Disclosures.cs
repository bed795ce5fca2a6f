using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Clusters;

/// <summary>A cluster as the decision point for disclosing its data, and the keeper of its hash-chained disclosure ledger.</summary>
public sealed partial class ClusterGrain : IDisclosureSubject
{
    private SubjectDisclosures<ClusterState> Disclosures => field ??= new(
        state, disclosures, GrainFactory, time, new GrainHost(GrainContext),
        new DisclosingSubject<ClusterState>(
            "cluster",
            Active: () => state.RecordExists && state.State.ClusterId is not null,
            Keeps: current => current.ClusterId is not null,
            Consent: _ => null, // A cluster is no person: nobody can have consented for it.
            Items: ReadAllItemsAsync,
            Audit: (current, _, entry, _) => current.Audit.Add(entry)),
        logger);

    public Task<DisclosureOutcome?> DiscloseAsync(DisclosureOrder order) => Disclosures.DiscloseAsync(order);

    public Task<DisclosureEntry?> RecordConsentedReleaseAsync(DisclosureOrder order) => Disclosures.RecordConsentedReleaseAsync(order);

    public Task<ImmutableArray<DisclosureEntry>?> GetDisclosuresAsync() => Task.FromResult(Disclosures.Get());

    public Task<ErasureRecipients?> ErasureRecipientsAsync() =>
        Task.FromResult(Disclosures.Recipients(new SubjectIdentity("cluster_id", state.State.ClusterId ?? string.Empty)));

    public Task<ChainVerification?> VerifyDisclosuresAsync() => Disclosures.VerifyAsync();

    public Task<ImmutableArray<SubjectPackage>> DisclosurePackagesAsync() => Task.FromResult(Disclosures.Packages());

    public Task<bool> StillDisclosableAsync() =>
        Task.FromResult(state.RecordExists && state.State.ClusterId is not null && state.State.AcceptedErasures.Count == 0);

    /// <summary>Every item the cluster holds: its identifiers and every page of its reports.</summary>
    private async Task<IReadOnlyList<HeldItem>> ReadAllItemsAsync()
    {
        var items = new List<HeldItem>(IdentifierItems(state.State));
        for (string? after = null; ;)
        {
            var page = await reportLog.ReadAsync(Region, Key, time.GetUtcNow(), after, ReportRows.PageSize);
            items.AddRange(page.Items);
            if ((after = page.Next) is null)
            {
                return items;
            }
        }
    }
}
