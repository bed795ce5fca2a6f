using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Gateway.Clusters;

/// <summary>
/// Everything held about a cluster as it is sent: its record, with the report items streamed page by page from the
/// cluster's grain while the answer is written, so neither the grain nor the gateway holds them all at once.
/// </summary>
/// <param name="ClusterId">The cluster's id.</param>
/// <param name="Region">The region whose database holds the cluster's data.</param>
/// <param name="FirstSeenAt">When the cluster first reported.</param>
/// <param name="Telemetry">The server-side telemetry setting.</param>
/// <param name="Items">Every item held, none of them expired: the identifiers, then the reports' items, oldest first.</param>
/// <param name="Audit">What was done to the cluster's data and why.</param>
/// <param name="LegalHold">The legal hold in force, if any.</param>
/// <param name="Notices">Notices for the operator (breaches, substantive policy changes), when no person is linked to the cluster.</param>
/// <param name="Disclosures">Every disclosure of the cluster's data (filled by the operator's route).</param>
/// <param name="RetentionRules">How long the identifiers, kept "while the cluster lives", are really kept.</param>
internal sealed record ClusterView(
    string ClusterId,
    string Region,
    DateTimeOffset FirstSeenAt,
    TelemetrySetting Telemetry,
    IAsyncEnumerable<HeldItem> Items,
    IReadOnlyList<AuditEntry> Audit,
    LegalHold? LegalHold,
    IReadOnlyList<Notification> Notices,
    IReadOnlyList<DisclosureEntry>? Disclosures = null,
    IReadOnlyList<RetentionRule>? RetentionRules = null)
{
    /// <summary>
    /// The record with its report items to come from <paramref name="readPage"/>. The first page is read now, so that
    /// a failure (or lost access) still answers with a status; later pages are read while the answer is written.
    /// </summary>
    public static async Task<ClusterView?> StreamAsync(ClusterRecord record, Func<string?, Task<ItemPage?>> readPage)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(readPage);
        if (await readPage(null) is not { } first)
        {
            return null;
        }

        return new ClusterView(
            record.ClusterId, record.Region, record.FirstSeenAt, record.Telemetry, ItemsAsync(record, first, readPage), record.Audit, record.LegalHold,
            record.Notices.IsDefault ? [] : record.Notices, RetentionRules: record.RetentionRules.IsDefault ? [] : record.RetentionRules);
    }

    private static async IAsyncEnumerable<HeldItem> ItemsAsync(ClusterRecord record, ItemPage first, Func<string?, Task<ItemPage?>> readPage)
    {
        foreach (var item in record.Items.Concat(first.Items))
        {
            yield return item;
        }

        // Access that ends while the answer is written (an erasure, an unlinking) ends the list there.
        for (var next = first.Next; next is not null && await readPage(next) is { } page; next = page.Next)
        {
            foreach (var item in page.Items)
            {
                yield return item;
            }
        }
    }
}
