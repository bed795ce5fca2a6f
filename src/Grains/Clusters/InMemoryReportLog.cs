using System.Collections.Immutable;
using System.Globalization;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Grains.Clusters;

/// <summary>The report log of the in-memory development mode: gone with the process, like everything else it holds.</summary>
internal sealed class InMemoryReportLog(IDestructionLedger ledger) : IReportLog
{
    private readonly Dictionary<string, List<HeldItem>> _subjects = new(StringComparer.Ordinal);

    public Task<ReportAppend> AppendAsync(string region, string subjectKey, string reportId, IReadOnlyList<HeldItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        lock (_subjects)
        {
            var held = Rows(subjectKey);
            if (held.FirstOrDefault(item => item.ReportId == reportId) is { } earlier)
            {
                return Task.FromResult(new ReportAppend(false, earlier.CollectedAt));
            }

            held.AddRange(items);
            return Task.FromResult(new ReportAppend(true, items[0].CollectedAt));
        }
    }

    public Task<ItemPage> ReadAsync(string region, string subjectKey, DateTimeOffset now, string? after, int limit)
    {
        lock (_subjects)
        {
            var skip = string.IsNullOrEmpty(after) ? 0 : int.Parse(after, CultureInfo.InvariantCulture);
            var live = Rows(subjectKey).Where(item => !item.IsExpiredAt(now)).Skip(skip).Take(limit + 1).ToList();
            var next = live.Count > limit ? (skip + limit).ToString(CultureInfo.InvariantCulture) : null;
            return Task.FromResult(new ItemPage([.. live.Take(limit)], next));
        }
    }

    public Task<ImmutableDictionary<DataCategory, int>> CountAsync(string region, string subjectKey)
    {
        lock (_subjects)
        {
            return Task.FromResult(Count(Rows(subjectKey)));
        }
    }

    public async Task<ReportDeletion> DeleteAsync(string region, string subjectKey, DateTimeOffset now, bool all, string subjectKind, string why)
    {
        ReportDeletion deletion;
        lock (_subjects)
        {
            var held = Rows(subjectKey);
            var gone = held.Where(item => all || item.IsExpiredAt(now)).ToList();
            held.RemoveAll(gone.Contains);
            deletion = new ReportDeletion(Count(gone), held.Min(item => item.ExpiresAt));
        }

        await ledger.RecordAsync(region, DestructionProof.New(subjectKind, why, deletion.Destroyed, now));
        return deletion;
    }

    private List<HeldItem> Rows(string subjectKey)
    {
        if (!_subjects.TryGetValue(subjectKey, out var rows))
        {
            rows = [];
            _subjects[subjectKey] = rows;
        }

        return rows;
    }

    private static ImmutableDictionary<DataCategory, int> Count(IEnumerable<HeldItem> items) =>
        items.GroupBy(item => item.Category).ToImmutableDictionary(group => group.Key, group => group.Count());
}
