using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Privacy;

/// <summary>
/// Policy: "If we store your personal information with information that is non-personal, we will consider the
/// combination as personal." Applied mechanically: an item stored linked to a personal identifier (a cluster's or a
/// person's) is personal. Only what leaves through aggregation, stripped of every identifier, is non-personal.
/// </summary>
public static class CombinationRule
{
    /// <summary>The items as a subject's access view shows them: each one personal, whatever flag an earlier version stored.</summary>
    public static ItemPage Apply(ItemPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return page.Items.All(item => item.Personal) ? page : page with { Items = [.. page.Items.Select(item => item with { Personal = true })] };
    }
}
