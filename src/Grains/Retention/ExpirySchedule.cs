using PrimeDirective.Grains.Interfaces.Retention;

namespace PrimeDirective.Grains.Retention;

/// <summary>Pure retention arithmetic: whether a legal hold defers destruction, and when the retention reminder is due.</summary>
public static class ExpirySchedule
{
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
