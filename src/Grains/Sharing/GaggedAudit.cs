using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Grains.Sharing;

/// <summary>An audit entry caused by a gagged legal request, kept apart from the person's trail until the gag ends.</summary>
/// <param name="LegalRequestId">The request whose gag hides it.</param>
/// <param name="Entry">The entry, as it will appear.</param>
public sealed record SealedAuditEntry(string LegalRequestId, AuditEntry Entry);

/// <summary>A subject's state whose audit trail a gag can hide entries from.</summary>
public interface IGaggedAuditState
{
    /// <summary>The person's audit trail, as they see it.</summary>
    List<AuditEntry> Audit { get; }

    /// <summary>Gags running or not yet acted on, by legal request id: until when each hides what its request caused.</summary>
    Dictionary<string, DateTimeOffset> LegalGags { get; }

    /// <summary>Entries hidden by a gag, oldest first.</summary>
    List<SealedAuditEntry> SealedAudit { get; }
}

/// <summary>
/// Keeps what a gagged legal request causes (a hold placed, an erasure it defers, a disclosure) out of the person's
/// audit trail while the gag runs; from its end on the entries show at their own times, exactly once.
/// </summary>
public static class GaggedAudit
{
    /// <summary>Whether the gag of <paramref name="legalRequestId"/> still runs at <paramref name="now"/>.</summary>
    public static bool Runs(IGaggedAuditState subject, string? legalRequestId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return legalRequestId is not null && subject.LegalGags.TryGetValue(legalRequestId, out var until) && until > now;
    }

    /// <summary>Records the gag of <paramref name="legalRequestId"/>, or moves its end later; <c>true</c> if that changed anything.</summary>
    public static bool Extend(IGaggedAuditState subject, string legalRequestId, DateTimeOffset until)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (subject.LegalGags.TryGetValue(legalRequestId, out var known) && known >= until)
        {
            return false;
        }

        subject.LegalGags[legalRequestId] = until;
        return true;
    }

    /// <summary>Adds <paramref name="entry"/> to the trail, or keeps it sealed while the gag of <paramref name="legalRequestId"/> runs.</summary>
    public static void Record(IGaggedAuditState subject, string? legalRequestId, AuditEntry entry, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (Runs(subject, legalRequestId, now))
        {
            subject.SealedAudit.Add(new SealedAuditEntry(legalRequestId!, entry));
        }
        else
        {
            subject.Audit.Add(entry);
        }
    }

    /// <summary>
    /// Records <paramref name="entry"/> about what <paramref name="order"/> causes: sealed while the gag of the legal
    /// request behind it runs (that gag recorded first), otherwise in the trail.
    /// </summary>
    public static void RecordCausedBy(IGaggedAuditState subject, DisclosureOrder order, AuditEntry entry, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(order);
        string? gag = null;
        if (order is { LegalRequestId: { } requestId, HiddenUntil: { } until })
        {
            Extend(subject, requestId, until);
            gag = requestId;
        }

        Record(subject, gag, entry, now);
    }

    /// <summary>The trail as the person may see it at <paramref name="now"/>: sealed entries whose gag ended join it at their own times.</summary>
    public static IEnumerable<AuditEntry> Visible(IGaggedAuditState subject, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var released = subject.SealedAudit.Where(sealedEntry => !Runs(subject, sealedEntry.LegalRequestId, now)).Select(sealedEntry => sealedEntry.Entry).ToList();
        return released.Count == 0 ? subject.Audit : subject.Audit.Concat(released).OrderBy(entry => entry.At);
    }

    /// <summary>Moves the entries of a gag that has ended into the trail, at their own times, and forgets the gag; <c>true</c> if anything changed.</summary>
    public static bool Release(IGaggedAuditState subject, string legalRequestId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (Runs(subject, legalRequestId, now))
        {
            return false;
        }

        var released = subject.SealedAudit.Where(sealedEntry => sealedEntry.LegalRequestId == legalRequestId).Select(sealedEntry => sealedEntry.Entry).ToList();
        subject.SealedAudit.RemoveAll(sealedEntry => sealedEntry.LegalRequestId == legalRequestId);
        var forgot = subject.LegalGags.Remove(legalRequestId);
        if (released.Count > 0)
        {
            var merged = subject.Audit.Concat(released).OrderBy(entry => entry.At).ToList();
            subject.Audit.Clear();
            subject.Audit.AddRange(merged);
        }

        return forgot || released.Count > 0;
    }
}
