using System.Globalization;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>
/// A subject's held items as the pages show them: a summary per category, each with a way to its items, and one page of
/// items with everything the policy says each one carries. Navigation is by plain links, or (where a proof must stay out
/// of the address) by form posts that carry <see cref="Repost"/> again.
/// </summary>
/// <param name="Caption">The items table's caption (<c>Items in your account</c>).</param>
/// <param name="SummaryCaption">The summary table's caption (<c>Categories in your account</c>).</param>
/// <param name="Anchor">The id of the subject's section, so a link lands on it.</param>
/// <param name="View">The summary and the page shown.</param>
/// <param name="Href">The address of a category's (<c>null</c>: all categories') page; <c>null</c> to navigate by form posts.</param>
/// <param name="Repost">Hidden fields each navigation post carries again (the proof, never in an address).</param>
public sealed record ItemsTableModel(
    string Caption,
    string SummaryCaption,
    string Anchor,
    HeldItemsPage View,
    Func<DataCategory?, int, string>? Href,
    IReadOnlyList<KeyValuePair<string, string?>>? Repost = null)
{
    /// <summary>The query or form field naming the category.</summary>
    public const string CategoryField = "category";

    /// <summary>The query or form field naming the page.</summary>
    public const string PageField = "page";

    /// <summary>The field's value for all categories.</summary>
    public const string AllCategories = "all";

    /// <summary>The items table's caption with what it shows of how many.</summary>
    public string PageCaption => View.Total == 0
        ? $"{Caption}: none{(View.Category is { } none ? " of category " + WireNames.Of(none) : string.Empty)}"
        : string.Create(CultureInfo.InvariantCulture,
            $"{Caption}: {(View.Category is { } category ? WireNames.Of(category) : "all categories")}, {View.First:N0}–{View.First + View.Items.Count - 1:N0} of {View.Total:N0} (page {View.Page:N0} of {View.Pages:N0})");

    /// <summary>The field value of <paramref name="category"/> (<see cref="AllCategories"/> for <c>null</c>).</summary>
    public static string FieldOf(DataCategory? category) => category is { } named ? WireNames.Of(named) : AllCategories;

    /// <summary>The category a field value names (<c>null</c> for all, or when absent); <c>false</c> if it names none.</summary>
    public static bool TryParse(string? value, out DataCategory? category)
    {
        category = null;
        if (string.IsNullOrEmpty(value) || value == AllCategories)
        {
            return true;
        }

        foreach (var known in Enum.GetValues<DataCategory>())
        {
            if (WireNames.Of(known) == value)
            {
                category = known;
                return true;
            }
        }

        return false;
    }

    /// <summary>The item's value as text: its textual value, or its metrics.</summary>
    public static string ValueOf(HeldItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return item.Value ?? string.Join(", ", item.Metrics.OrderBy(metric => metric.Key, StringComparer.Ordinal)
            .Select(metric => $"{metric.Key} = {metric.Value.ToString(CultureInfo.InvariantCulture)}"));
    }
}
