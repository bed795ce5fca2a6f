using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Grains.Retention;

/// <summary>Pure retention arithmetic: when the next item expires, and what is left after destroying the expired ones.</summary>
public static class ExpirySchedule
{
    /// <summary>The earliest expiry among <paramref name="items"/>, or <c>null</c> when none of them expires.</summary>
    public static DateTimeOffset? NextExpiry(IEnumerable<HeldItem> items) =>
        items.Where(item => item.ExpiresAt is not null).Min(item => item.ExpiresAt);

    /// <summary>Splits <paramref name="items"/> at <paramref name="now"/> into those kept and counts of those destroyed.</summary>
    public static (List<HeldItem> Kept, ImmutableDictionary<DataCategory, int> Destroyed) Purge(IEnumerable<HeldItem> items, DateTimeOffset now)
    {
        var kept = new List<HeldItem>();
        var destroyed = ImmutableDictionary.CreateBuilder<DataCategory, int>();
        foreach (var item in items)
        {
            if (item.IsExpiredAt(now))
            {
                destroyed[item.Category] = destroyed.GetValueOrDefault(item.Category) + 1;
            }
            else
            {
                kept.Add(item);
            }
        }

        return (kept, destroyed.ToImmutable());
    }
}
