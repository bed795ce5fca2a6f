using System.Globalization;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Grains.Storage;

/// <summary>A state whose histories are kept bounded on every write.</summary>
public interface IBoundedState
{
    /// <summary>Folds what exceeds the bounds; called with every write that changes the state.</summary>
    void Bound();
}

/// <summary>The older part of a bounded history, folded into counts by kind: what it was and when, not each entry.</summary>
public sealed class FoldedHistory
{
    /// <summary>How many entries were folded.</summary>
    public int Count { get; set; }

    /// <summary>The oldest folded entry's time.</summary>
    public DateTimeOffset? Since { get; set; }

    /// <summary>The newest folded entry's time.</summary>
    public DateTimeOffset? Until { get; set; }

    /// <summary>Folded entries by kind (an audit entry's action, a notice's kind).</summary>
    public Dictionary<string, int> ByKind { get; set; } = new(StringComparer.Ordinal);

    /// <summary>"kind ×n, ..." in a stable order.</summary>
    public string Describe() =>
        string.Join(", ", ByKind.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => string.Create(CultureInfo.InvariantCulture, $"{pair.Key} ×{pair.Value}")));
}

/// <summary>
/// Keeps a subject's histories (audit trail, notices) bounded: the newest entries in full, older ones folded into a
/// summary, so a state document that is rewritten on every change does not grow with the subject's age.
/// </summary>
public static class BoundedHistory
{
    /// <summary>Audit entries kept in full.</summary>
    public const int MaxAuditEntries = 200;

    /// <summary>Notices kept in full.</summary>
    public const int MaxNotifications = 100;

    /// <summary>Folds the oldest entries of <paramref name="entries"/> into <paramref name="folded"/> until at most <paramref name="max"/> remain.</summary>
    public static void Fold<T>(List<T> entries, FoldedHistory folded, int max, Func<T, DateTimeOffset> at, Func<T, string> kind)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(folded);
        var excess = entries.Count - max;
        if (excess <= 0)
        {
            return;
        }

        foreach (var entry in entries.Take(excess))
        {
            var when = at(entry);
            folded.Count++;
            folded.Since = folded.Since is { } since && since <= when ? since : when;
            folded.Until = folded.Until is { } until && until >= when ? until : when;
            folded.ByKind[kind(entry)] = folded.ByKind.GetValueOrDefault(kind(entry)) + 1;
        }

        entries.RemoveRange(0, excess);
    }

    /// <summary>Folds an audit trail to <see cref="MaxAuditEntries"/>.</summary>
    public static void FoldAudit(List<AuditEntry> audit, FoldedHistory folded) =>
        Fold(audit, folded, MaxAuditEntries, entry => entry.At, entry => entry.Action);

    /// <summary>The audit trail as shown: the summary of folded entries first, then the entries kept.</summary>
    public static IEnumerable<AuditEntry> ShowAudit(IEnumerable<AuditEntry> audit, FoldedHistory folded)
    {
        if (folded.Count > 0)
        {
            yield return new AuditEntry(
                folded.Since!.Value, "earlier-entries-summarised",
                string.Create(CultureInfo.InvariantCulture, $"{folded.Count} earlier entries up to {folded.Until:O}: {folded.Describe()}"));
        }

        foreach (var entry in audit)
        {
            yield return entry;
        }
    }

    /// <summary>Folds notices to <see cref="MaxNotifications"/>.</summary>
    public static void FoldNotifications(List<Notification> notifications, FoldedHistory folded) =>
        Fold(notifications, folded, MaxNotifications, notice => notice.At, notice => notice.Kind);

    /// <summary>The notices as shown: the summary of folded notices first, then the notices kept.</summary>
    public static IEnumerable<Notification> ShowNotifications(IEnumerable<Notification> notifications, FoldedHistory folded)
    {
        if (folded.Count > 0)
        {
            yield return new Notification(
                "earlier", folded.Since!.Value, "earlier-notices-summarised",
                string.Create(CultureInfo.InvariantCulture, $"{folded.Count} earlier notices up to {folded.Until:O} (each also sent to you by email): {folded.Describe()}"));
        }

        foreach (var notice in notifications)
        {
            yield return notice;
        }
    }
}
