using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>"What we hold": every item of the account, and of each linked cluster, with its category, source, purpose and dates.</summary>
public sealed class HeldModel : PrivacyPageModel
{
    /// <summary>Report items shown per cluster; the export has every one.</summary>
    public const int MaxItemsPerCluster = 500;

    public UserRecord? Record { get; private set; }

    public IReadOnlyList<HeldCluster> Clusters { get; private set; } = [];

    protected override bool RequiresPerson => true;

    public async Task<IActionResult> OnGetAsync()
    {
        if (await Users.User(Session!.UserId).GetAsync() is not { } record)
        {
            return Redirect(PrivacyPaths.SignIn);
        }

        var userKey = Users.UserKey(Session.UserId);
        Record = record;
        Clusters = await Task.WhenAll(record.Clusters.Select(async link =>
        {
            var cluster = Grains.GetGrain<IClusterGrain>(ClusterKeys.For(link.Region, link.ClusterId));
            if (await cluster.GetForLinkAsync(userKey) is not { } held)
            {
                return new HeldCluster(link, null, [], false);
            }

            var (items, more) = await ReadAsync(held.Items, after => cluster.ReadReportsForLinkAsync(userKey, after));
            return new HeldCluster(link, held, items, more);
        }));
        return Page();
    }

    /// <summary>The cluster's own items, then its reports' items page by page, up to <see cref="MaxItemsPerCluster"/>.</summary>
    internal static async Task<(IReadOnlyList<HeldItem> Items, bool More)> ReadAsync(IEnumerable<HeldItem> first, Func<string?, Task<ItemPage?>> readPage)
    {
        var items = first.ToList();
        string? after = null;
        do
        {
            if (await readPage(after) is not { } page)
            {
                break;
            }

            items.AddRange(page.Items);
            after = page.Next;
        }
        while (after is not null && items.Count < MaxItemsPerCluster);
        return items.Count > MaxItemsPerCluster || after is not null ? ([.. items.Take(MaxItemsPerCluster)], true) : (items, false);
    }
}

/// <summary>A linked cluster as the page shows it: the link, what is held (if anything), and its first items.</summary>
public sealed record HeldCluster(LinkedCluster Link, ClusterRecord? Record, IReadOnlyList<HeldItem> Items, bool More);
