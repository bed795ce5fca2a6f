using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>
/// "What we hold": the account and each linked cluster, each with a summary of its items by category and a page of
/// them (50 items, with category, source, purpose and dates); plain links page one subject's category at a time.
/// </summary>
public sealed class HeldModel : PrivacyPageModel
{
    /// <summary>The query field naming the subject a category and page apply to (<see cref="AccountSubject"/>, or <c>cluster-1</c> ...).</summary>
    public const string SubjectField = "subject";

    /// <summary>The account's subject name; a linked cluster's is <c>cluster-</c> and its position among the links.</summary>
    public const string AccountSubject = "account";

    private const string ClusterSubject = "cluster-";

    public UserRecord? Record { get; private set; }

    /// <summary>The account's items.</summary>
    public HeldItemsPage? Account { get; private set; }

    public IReadOnlyList<HeldCluster> Clusters { get; private set; } = [];

    protected override bool RequiresPerson => true;

    public async Task<IActionResult> OnGetAsync(
        [FromQuery(Name = SubjectField)] string? subject,
        [FromQuery(Name = ItemsTableModel.CategoryField)] string? category,
        [FromQuery(Name = ItemsTableModel.PageField)] int? page)
    {
        if (await Users.User(Session!.UserId).GetAsync() is not { } record)
        {
            return Redirect(PrivacyPaths.SignIn);
        }

        // A page that cannot exist (an unknown category or subject, a page before the first) is answered as such.
        var selected = subject ?? AccountSubject;
        if (!ModelState.IsValid || !ItemsTableModel.TryParse(category, out var wanted) || page < 1 ||
            (selected != AccountSubject && !Enumerable.Range(0, record.Clusters.Length).Select(SubjectOf).Contains(selected)))
        {
            return NotFoundPage();
        }

        // The category and page apply to the subject they name; every other subject shows its first page of all.
        (DataCategory?, int) SelectionOf(string name) => name == selected ? (wanted, page ?? 1) : (null, 1);

        var userKey = Users.UserKey(Session.UserId);
        Record = record;
        var (accountCategory, accountPage) = SelectionOf(AccountSubject);
        Account = await HeldItemsPage.ReadAsync(record.Items, null, accountCategory, accountPage);
        Clusters = await Task.WhenAll(record.Clusters.Select(async (link, index) =>
        {
            var name = SubjectOf(index);
            var cluster = Grains.GetGrain<IClusterGrain>(ClusterKeys.For(link.Region, link.ClusterId));
            if (await cluster.GetForLinkAsync(userKey) is not { } held)
            {
                return new HeldCluster(link, name, null, null);
            }

            var (clusterCategory, clusterPage) = SelectionOf(name);
            var items = await HeldItemsPage.ReadAsync(held.Items, after => cluster.ReadReportsForLinkAsync(userKey, after), clusterCategory, clusterPage);
            return new HeldCluster(link, name, held, items);
        }));
        return Page();
    }

    /// <summary>The addresses of <paramref name="subject"/>'s pages, by category and page number, landing on its section.</summary>
    public static Func<DataCategory?, int, string> HrefFor(string subject) => (category, page) =>
        PrivacyPaths.Held + QueryString.Create((KeyValuePair<string, string?>[])[
            new(SubjectField, subject),
            new(ItemsTableModel.CategoryField, ItemsTableModel.FieldOf(category)),
            new(ItemsTableModel.PageField, page.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ]) + "#" + AnchorOf(subject);

    /// <summary>The id of a subject's items section.</summary>
    public static string AnchorOf(string subject) => subject + "-items";

    private static string SubjectOf(int index) => ClusterSubject + (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A linked cluster as the page shows it: the link, its subject name in addresses, what is held (if anything), and its items.</summary>
public sealed record HeldCluster(LinkedCluster Link, string Subject, ClusterRecord? Record, HeldItemsPage? Items);
