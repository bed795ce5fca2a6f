using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Grains.Clusters;

/// <summary>The report log of the in-memory development mode: gone with the process, like everything else it holds.</summary>
internal sealed class InMemoryReportLog(IDestructionLedger ledger) : IReportLog
{
    // One lock per subject (its grain is its only writer), so subjects never wait for each other.
    private readonly ConcurrentDictionary<string, Subject> _subjects = new(StringComparer.Ordinal);

    public Task<ReportAppend> AppendAsync(string region, string subjectKey, string reportId, IReadOnlyList<HeldItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var subject = SubjectOf(subjectKey);
        lock (subject)
        {
            if (subject.Reports.TryGetValue(reportId, out var acceptedAt))
            {
                return Task.FromResult(new ReportAppend(false, acceptedAt));
            }

            subject.Rows.AddRange(items);
            subject.Reports[reportId] = items[0].CollectedAt;
            return Task.FromResult(new ReportAppend(true, items[0].CollectedAt));
        }
    }

    public Task<ItemPage> ReadAsync(string region, string subjectKey, DateTimeOffset now, string? after, int limit)
    {
        var subject = SubjectOf(subjectKey);
        lock (subject)
        {
            var skip = string.IsNullOrEmpty(after) ? 0 : int.Parse(after, CultureInfo.InvariantCulture);
            var live = subject.Rows.Where(item => !item.IsExpiredAt(now)).Skip(skip).Take(limit + 1).ToList();
            var next = live.Count > limit ? (skip + limit).ToString(CultureInfo.InvariantCulture) : null;
            return Task.FromResult(new ItemPage([.. live.Take(limit)], next));
        }
    }

    public Task<ImmutableDictionary<DataCategory, int>> CountAsync(string region, string subjectKey)
    {
        var subject = SubjectOf(subjectKey);
        lock (subject)
        {
            return Task.FromResult(Count(subject.Rows));
        }
    }

    public async Task<ReportDeletion> DeleteAsync(string region, string subjectKey, DateTimeOffset now, bool all, string subjectKind, string why)
    {
        ReportDeletion deletion;
        var subject = SubjectOf(subjectKey);
        lock (subject)
        {
            var gone = subject.Rows.Where(item => all || item.IsExpiredAt(now)).ToList();
            subject.Rows.RemoveAll(gone.Contains);

            // As with the table's key: an id is taken while any item of its report is held.
            var left = subject.Rows.Select(item => item.ReportId).ToHashSet(StringComparer.Ordinal);
            foreach (var reportId in gone.Select(item => item.ReportId).Where(id => id is not null && !left.Contains(id)).Distinct())
            {
                subject.Reports.Remove(reportId!);
            }

            deletion = new ReportDeletion(Count(gone), subject.Rows.Min(item => item.ExpiresAt));
        }

        await ledger.RecordAsync(region, DestructionProof.New(subjectKind, why, deletion.Destroyed, now));
        return deletion;
    }

    private Subject SubjectOf(string subjectKey) => _subjects.GetOrAdd(subjectKey, _ => new Subject());

    private static ImmutableDictionary<DataCategory, int> Count(IEnumerable<HeldItem> items) =>
        items.GroupBy(item => item.Category).ToImmutableDictionary(group => group.Key, group => group.Count());

    private sealed class Subject
    {
        public List<HeldItem> Rows { get; } = [];

        public Dictionary<string, DateTimeOffset> Reports { get; } = new(StringComparer.Ordinal);
    }
}
