using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;

namespace PrimeDirective.Grains.Sharing;

/// <summary>
/// Policy: "we will use it in the ways for which you've given us permission". A disclosure on a basis that rests on
/// purpose (consent, a processor's contract) carries only items collected for a purpose compatible with the order's; the
/// rest of its categories is left out and named in the ledger entry. A legal obligation, harm prevention and a successor
/// take the categories as held: there the law, the protection or the continuing service decides, not the order's purpose.
/// README's sharing section shows this table.
/// </summary>
public static class PurposeCompatibility
{
    /// <summary>For each purpose an order may name, the collection purposes whose items it may carry.</summary>
    public static readonly ImmutableDictionary<DataPurpose, ImmutableArray<DataPurpose>> Table = new Dictionary<DataPurpose, ImmutableArray<DataPurpose>>
    {
        [DataPurpose.ServiceProvision] = [DataPurpose.ServiceProvision],
        [DataPurpose.UsageStatistics] = [DataPurpose.UsageStatistics],
        [DataPurpose.CrashReports] = [DataPurpose.CrashReports],
        [DataPurpose.Analytics] = [DataPurpose.Analytics],

        // The person's own permission to share: what they gave us for the service, and what we collected to improve it.
        [DataPurpose.ThirdPartySharing] = [DataPurpose.ThirdPartySharing, DataPurpose.ServiceProvision, DataPurpose.UsageStatistics, DataPurpose.CrashReports],
    }.ToImmutableDictionary();

    /// <summary>Whether <paramref name="basis"/> is bound by the order's purpose.</summary>
    public static bool BindsPurpose(DisclosureBasis basis) => basis is DisclosureBasis.Consent or DisclosureBasis.Processor;

    /// <summary>Whether an item collected for <paramref name="collectedFor"/> may be disclosed for <paramref name="orderedFor"/>.</summary>
    public static bool Allows(DataPurpose orderedFor, DataPurpose collectedFor) =>
        Table.TryGetValue(orderedFor, out var allowed) && allowed.Contains(collectedFor);

    /// <summary>The order's items: those of its categories, split into what the package carries and what it leaves out (counted).</summary>
    public static Selection Select(DisclosureOrder order, IEnumerable<HeldItem> items)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(items);
        var wanted = order.Categories.ToHashSet();
        var ofCategories = items.Where(item => wanted.Contains(item.Category)).ToList();
        var bound = BindsPurpose(order.Basis);
        bool Carried(HeldItem item) => !bound || Allows(order.Purpose, item.Purpose);
        var kept = ofCategories.Where(Carried).ToImmutableArray();
        var withheld = ofCategories.Where(item => !Carried(item))
            .GroupBy(item => (item.Category, item.Purpose))
            .OrderBy(group => group.Key.Category).ThenBy(group => group.Key.Purpose)
            .Select(group => new WithheldItems(group.Key.Category, group.Key.Purpose, group.Count()))
            .ToImmutableArray();
        return new Selection(kept, withheld);
    }

    /// <summary>What a disclosure carries and what it leaves out.</summary>
    /// <param name="Items">The items the package carries.</param>
    /// <param name="Withheld">What was left out, by category and collection purpose.</param>
    public sealed record Selection(ImmutableArray<HeldItem> Items, ImmutableArray<WithheldItems> Withheld)
    {
        /// <summary>Everything of the categories was left out: the disclosure would carry nothing, so it is refused.</summary>
        public bool NothingCompatible => Items.IsEmpty && !Withheld.IsEmpty;
    }
}
