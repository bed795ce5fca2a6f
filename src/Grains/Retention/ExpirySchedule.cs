using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Retention;

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

    /// <summary>Whether a legal hold defers destruction at <paramref name="now"/>.</summary>
    public static bool Defers(LegalHold? hold, DateTimeOffset now) => hold?.IsActiveAt(now) == true;

    /// <summary>
    /// When the retention reminder should next fire: at the next expiry, or, under a hold, not before the hold ends
    /// (<c>null</c> under a hold without an end: lifting it re-arms).
    /// </summary>
    public static DateTimeOffset? NextDue(DateTimeOffset? nextExpiry, LegalHold? hold, DateTimeOffset now)
    {
        if (nextExpiry is not { } expiry || !Defers(hold, now))
        {
            return nextExpiry;
        }

        return hold!.EndsAt is { } end ? (end > expiry ? end : expiry) : null;
    }
}
