using System.Collections.Immutable;
using System.Globalization;
using PrimeDirective.Gateway.PrivacyCenter.Pages;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Tests.PrivacyCenter;

/// <summary>"What we hold"'s summary and pages, from a subject's items as the grains hand them out (no service needed).</summary>
public sealed class HeldItemsPageTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_summary_counts_every_item_by_category_with_oldest_newest_and_next_destruction()
    {
        var identifiers = new[] { Item("cluster-id", DataCategory.Identifier, 0, expires: null), Item("bootstrap-id", DataCategory.Identifier, 0, expires: null) };
        var reports = Reports(120);
        var reads = new Log(reports, pageSize: 500);

        var view = await HeldItemsPage.ReadAsync(identifiers, reads.ReadAsync, null, 1);

        Assert.Equal([DataCategory.Usage, DataCategory.Configuration, DataCategory.Identifier], view.Summary.Select(summary => summary.Category));
        var usage = view.Summary[0];
        Assert.Equal(120, usage.Count);
        Assert.Equal(Start, usage.Oldest);
        Assert.Equal(Start.AddHours(119), usage.Newest);
        Assert.Equal(Start.AddDays(30), usage.NextDestruction);
        var identifier = view.Summary[2];
        Assert.Equal(2, identifier.Count);
        Assert.Null(identifier.NextDestruction); // kept as long as the cluster
        Assert.Equal(242, view.Total);

        // All categories, page 1: the record's own items first, then the log's, 50 in all.
        Assert.Equal(HeldItemsPage.PageSize, view.Items.Count);
        Assert.Equal(["cluster-id", "bootstrap-id"], view.Items.Take(2).Select(item => item.ItemId));
        Assert.Equal(reports.Take(48).Select(item => item.ItemId), view.Items.Skip(2).Select(item => item.ItemId));
        Assert.Equal((1, 5, 1), (view.Page, view.Pages, view.First));
    }

    [Fact]
    public async Task A_category_s_second_page_is_its_next_50_items_and_nothing_of_another_category()
    {
        var reports = Reports(120);
        var usage = reports.Where(item => item.Category == DataCategory.Usage).ToList();

        var second = await HeldItemsPage.ReadAsync([], new Log(reports, pageSize: 37).ReadAsync, DataCategory.Usage, 2);

        Assert.Equal(usage.Skip(50).Take(50).Select(item => item.ItemId), second.Items.Select(item => item.ItemId));
        Assert.All(second.Items, item => Assert.Equal(DataCategory.Usage, item.Category));
        Assert.Equal((2, 3, 120, 51), (second.Page, second.Pages, second.Total, second.First));

        // The summary still covers every category, whatever the page shows.
        Assert.Equal(240, second.Summary.Sum(summary => summary.Count));
    }

    [Fact]
    public async Task A_page_past_the_end_shows_the_last_page_and_an_empty_subject_one_empty_page()
    {
        var reports = Reports(120);
        var usage = reports.Where(item => item.Category == DataCategory.Usage).ToList();

        var past = await HeldItemsPage.ReadAsync([], new Log(reports, pageSize: 500).ReadAsync, DataCategory.Usage, 9);
        Assert.Equal((3, 3, 101), (past.Page, past.Pages, past.First));
        Assert.Equal(usage.Skip(100).Select(item => item.ItemId), past.Items.Select(item => item.ItemId));

        var none = await HeldItemsPage.ReadAsync([], new Log(reports, pageSize: 500).ReadAsync, DataCategory.IpAddress, 2);
        Assert.Equal((1, 1, 0, 0), (none.Page, none.Pages, none.Total, none.First));
        Assert.Empty(none.Items);
    }

    [Fact]
    public async Task Every_page_of_the_log_is_read_once_and_a_lost_access_ends_the_list()
    {
        var reports = Reports(120);
        var log = new Log(reports, pageSize: 100);
        var view = await HeldItemsPage.ReadAsync([], log.ReadAsync, null, 1);
        Assert.Equal([null, "100", "200"], log.Cursors);
        Assert.Equal(240, view.Total);

        // Access ends after the first page (an erasure meanwhile): what came so far is what is shown, nothing more asked.
        var lost = new Log(reports, pageSize: 100, pagesBeforeLoss: 1);
        var partial = await HeldItemsPage.ReadAsync([], lost.ReadAsync, null, 1);
        Assert.Equal(100, partial.Total);
        Assert.Equal([null, "100"], lost.Cursors);
    }

    [Fact]
    public void Category_fields_parse_wire_names_and_all_and_refuse_anything_else()
    {
        Assert.True(ItemsTableModel.TryParse("ip-address", out var ip));
        Assert.Equal(DataCategory.IpAddress, ip);
        Assert.True(ItemsTableModel.TryParse(ItemsTableModel.AllCategories, out var all));
        Assert.Null(all);
        Assert.True(ItemsTableModel.TryParse(null, out var absent));
        Assert.Null(absent);
        Assert.False(ItemsTableModel.TryParse("IpAddress", out _));
        Assert.False(ItemsTableModel.TryParse("3", out _));
        Assert.Equal("ip-address", ItemsTableModel.FieldOf(DataCategory.IpAddress));
    }

    /// <summary>Reports an hour apart, each a usage and a configuration item, oldest first as the log keeps them.</summary>
    private static List<HeldItem> Reports(int count) =>
    [
        .. Enumerable.Range(0, count).SelectMany(i => new[]
        {
            Item($"r{i:D4}-usage", DataCategory.Usage, i, Start.AddHours(i).AddDays(30)),
            Item($"r{i:D4}-configuration", DataCategory.Configuration, i, Start.AddHours(i).AddDays(60)),
        }),
    ];

    private static HeldItem Item(string id, DataCategory category, int hour, DateTimeOffset? expires) => new(
        id, null, category, DataSource.Automatic, DataPurpose.UsageStatistics, Start.AddHours(hour), expires, true, null,
        ImmutableDictionary<string, double>.Empty);

    /// <summary>A report log read by cursor (the offset as text), recording each cursor asked for.</summary>
    private sealed class Log(IReadOnlyList<HeldItem> items, int pageSize, int pagesBeforeLoss = int.MaxValue)
    {
        public List<string?> Cursors { get; } = [];

        public Task<ItemPage?> ReadAsync(string? after)
        {
            Cursors.Add(after);
            if (Cursors.Count > pagesBeforeLoss)
            {
                return Task.FromResult<ItemPage?>(null);
            }

            var skip = after is null ? 0 : int.Parse(after, CultureInfo.InvariantCulture);
            var next = skip + pageSize < items.Count ? (skip + pageSize).ToString(CultureInfo.InvariantCulture) : null;
            return Task.FromResult<ItemPage?>(new ItemPage([.. items.Skip(skip).Take(pageSize)], next));
        }
    }
}
