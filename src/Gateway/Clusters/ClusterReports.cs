using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Gateway.Clusters;

/// <summary>Completes a cluster's record with its report items, read from the cluster a page at a time.</summary>
internal static class ClusterReports
{
    /// <summary>The record with every report item after its identifiers; <c>null</c> if a page was refused (access ended meanwhile).</summary>
    public static async Task<ClusterRecord?> CompleteAsync(ClusterRecord record, Func<string?, Task<ItemPage?>> readPage)
    {
        var items = new List<HeldItem>(record.Items);
        string? after = null;
        do
        {
            if (await readPage(after) is not { } page)
            {
                return null;
            }

            items.AddRange(page.Items);
            after = page.Next;
        }
        while (after is not null);

        return record with { Items = [.. items] };
    }
}
