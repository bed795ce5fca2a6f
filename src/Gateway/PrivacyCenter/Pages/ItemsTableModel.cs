using System.Globalization;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>A table of held items with everything the policy says each one carries.</summary>
public sealed record ItemsTableModel(string Caption, IReadOnlyList<HeldItem> Items, bool More)
{
    /// <summary>The item's value as text: its textual value, or its metrics.</summary>
    public static string ValueOf(HeldItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return item.Value ?? string.Join(", ", item.Metrics.OrderBy(metric => metric.Key, StringComparer.Ordinal)
            .Select(metric => $"{metric.Key} = {metric.Value.ToString(CultureInfo.InvariantCulture)}"));
    }
}
