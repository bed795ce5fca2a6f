using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>One category of a subject's items in short: how many, the oldest and newest collected, the next destruction.</summary>
/// <param name="Category">The category.</param>
/// <param name="Count">How many items of it are held.</param>
/// <param name="Oldest">When the oldest was collected.</param>
/// <param name="Newest">When the newest was collected.</param>
/// <param name="NextDestruction">The earliest expiry among them; <c>null</c> when all are kept as long as their subject.</param>
public sealed record CategorySummary(DataCategory Category, int Count, DateTimeOffset Oldest, DateTimeOffset Newest, DateTimeOffset? NextDestruction);

/// <summary>
/// A subject's items as a page shows them: every category summarised, and one page (<see cref="PageSize"/> items) of one
/// category, or of all of them. The export, not this, is where every item is at once.
/// </summary>
/// <param name="Summary">Every category held, in the taxonomy's order.</param>
/// <param name="Category">The category paged; <c>null</c> for all of them.</param>
/// <param name="Page">The page shown, from 1 (a page past the last shows the last).</param>
/// <param name="Pages">How many pages the selection has (at least 1).</param>
/// <param name="Total">How many items the selection has.</param>
/// <param name="Items">The page's items, in the order of the subject's list (identifiers first, then oldest first).</param>
public sealed record HeldItemsPage(
    IReadOnlyList<CategorySummary> Summary, DataCategory? Category, int Page, int Pages, int Total, IReadOnlyList<HeldItem> Items)
{
    /// <summary>Items per page.</summary>
    public const int PageSize = 50;

    /// <summary>The position of the page's first item in the selection, from 1 (0 when it is empty).</summary>
    public int First => Total == 0 ? 0 : ((Page - 1) * PageSize) + 1;

    /// <summary>
    /// Reads the subject's items once, <paramref name="first"/> then every page of <paramref name="readPage"/>: the summary
    /// counts all of them, and only the requested page's items (at most <see cref="PageSize"/>, plus as many of the latest
    /// for a page past the end) are kept, so a year of reports costs the gateway no more memory than a week.
    /// </summary>
    /// <param name="first">Items the subject's record carries itself (identifiers, account items).</param>
    /// <param name="readPage">The subject's further items by cursor; <c>null</c> when it has none. A <c>null</c> page ends the list (access lost meanwhile).</param>
    /// <param name="category">The category to page; <c>null</c> for all.</param>
    /// <param name="page">The page wanted, from 1.</param>
    public static async Task<HeldItemsPage> ReadAsync(
        IEnumerable<HeldItem> first, Func<string?, Task<ItemPage?>>? readPage, DataCategory? category, int page)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
        var tally = new Tally(category, page);
        tally.AddRange(first);
        if (readPage is not null)
        {
            string? after = null;
            do
            {
                if (await readPage(after) is not { } next)
                {
                    break;
                }

                tally.AddRange(next.Items);
                after = next.Next;
            }
            while (after is not null);
        }

        return tally.Result();
    }

    /// <summary>The running summary and the page's slice while the items stream past.</summary>
    private sealed class Tally(DataCategory? category, int page)
    {
        private readonly Dictionary<DataCategory, CategorySummary> _summary = [];
        private readonly List<HeldItem> _page = new(PageSize);
        private readonly Queue<HeldItem> _latest = new(PageSize);
        private readonly int _skip = (int)Math.Min(int.MaxValue, (page - 1L) * PageSize);
        private int _matched;

        public void AddRange(IEnumerable<HeldItem> items)
        {
            foreach (var item in items)
            {
                Add(item);
            }
        }

        public HeldItemsPage Result()
        {
            var pages = Math.Max(1, (_matched + PageSize - 1) / PageSize);
            var shown = page <= pages ? page : pages;

            // Past the end (items expired since the link was made): the last page, from the latest items kept aside.
            var items = shown == page ? _page : [.. _latest.Skip(_latest.Count - (_matched - ((pages - 1) * PageSize)))];
            return new HeldItemsPage([.. _summary.Values.OrderBy(summary => summary.Category)], category, shown, pages, _matched, items);
        }

        private void Add(HeldItem item)
        {
            _summary[item.Category] = _summary.TryGetValue(item.Category, out var known)
                ? known with
                {
                    Count = known.Count + 1,
                    Oldest = item.CollectedAt < known.Oldest ? item.CollectedAt : known.Oldest,
                    Newest = item.CollectedAt > known.Newest ? item.CollectedAt : known.Newest,
                    NextDestruction = Earlier(known.NextDestruction, item.ExpiresAt),
                }
                : new CategorySummary(item.Category, 1, item.CollectedAt, item.CollectedAt, item.ExpiresAt);
            if (category is { } wanted && item.Category != wanted)
            {
                return;
            }

            if (_matched >= _skip && _page.Count < PageSize)
            {
                _page.Add(item);
            }

            if (_latest.Count == PageSize)
            {
                _latest.Dequeue();
            }

            _latest.Enqueue(item);
            _matched++;
        }

        private static DateTimeOffset? Earlier(DateTimeOffset? one, DateTimeOffset? other) =>
            one is null ? other : other is null ? one : one < other ? one : other;
    }
}
