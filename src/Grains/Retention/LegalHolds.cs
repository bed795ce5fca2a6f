using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Sharing;

namespace PrimeDirective.Grains.Retention;

/// <summary>The stored part of a subject that legal holds act on: the hold, the erasures it defers, the audit trail.</summary>
public interface ILegalHoldState
{
    LegalHold? LegalHold { get; set; }

    List<string> WaitingErasures { get; }

    List<AuditEntry> Audit { get; }
}

/// <summary>The bookkeeping of legal holds, the same for every kind of subject: place, defer an erasure, lift.</summary>
public static class LegalHolds
{
    /// <summary>Places (or replaces) the hold and records it in the audit trail.</summary>
    public static void Place(ILegalHoldState subject, LegalHold hold, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(hold);
        subject.LegalHold = hold;
        var end = hold.EndsAt is { } ends ? $", until {ends:O}" : ", until lifted";
        Record(subject, hold, new AuditEntry(now, "legal-hold-placed", $"reference {hold.Reference}{end}"), now);
    }

    /// <summary>Records that the hold defers an erasure request; <c>false</c> if it was already recorded.</summary>
    public static bool Defer(ILegalHoldState subject, string requestId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (subject.WaitingErasures.Contains(requestId))
        {
            return false;
        }

        subject.WaitingErasures.Add(requestId);
        Record(subject, subject.LegalHold, new AuditEntry(now, "erasure-deferred", $"request {requestId}: legal hold"), now);
        return true;
    }

    /// <summary>Lifts the hold, records it, and hands back the erasure requests it deferred (to resume them).</summary>
    public static List<string> Lift(ILegalHoldState subject, string officerId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(subject);
        Record(subject, subject.LegalHold, new AuditEntry(now, "legal-hold-lifted", $"by officer {officerId}"), now);
        subject.LegalHold = null;
        var waiting = subject.WaitingErasures.ToList();
        subject.WaitingErasures.Clear();
        return waiting;
    }

    /// <summary>An entry about <paramref name="hold"/>: sealed while the gag of the legal request that placed it runs (the person must not learn of it yet).</summary>
    private static void Record(ILegalHoldState subject, LegalHold? hold, AuditEntry entry, DateTimeOffset now)
    {
        if (subject is IGaggedAuditState gagged && hold is { LegalRequestId: { } requestId, SecretUntil: { } until } && hold.IsSecretAt(now))
        {
            GaggedAudit.Extend(gagged, requestId, until);
            GaggedAudit.Record(gagged, requestId, entry, now);
        }
        else
        {
            subject.Audit.Add(entry);
        }
    }

    /// <summary>Resumes deferred erasure requests at once.</summary>
    public static Task ResumeAsync(IGrainFactory grains, IEnumerable<string> requestIds) =>
        Task.WhenAll(requestIds.Select(id => grains.GetGrain<IPrivacyRequestGrain>(UserKeys.ForRequest(id)).ResumeAsync()));
}
