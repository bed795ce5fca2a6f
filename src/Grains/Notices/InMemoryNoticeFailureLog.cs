using System.Collections.Immutable;

namespace PrimeDirective.Grains.Notices;

/// <summary>The notice failure log of the in-memory development mode.</summary>
internal sealed class InMemoryNoticeFailureLog : INoticeFailureLog
{
    private readonly Dictionary<(string Campaign, string Failure, string Key), Row> _rows = [];

    private readonly Lock _lock = new();

    public Task RecordBatchAsync(string region, string campaignId, IReadOnlyCollection<NoticeFailure> failed, IReadOnlyCollection<string> reached)
    {
        lock (_lock)
        {
            foreach (var key in reached)
            {
                _rows.Remove((Campaign(region, campaignId), NoticeFailureLog.Delivery, key));
            }

            foreach (var failure in failed)
            {
                _rows.TryAdd((Campaign(region, campaignId), NoticeFailureLog.Delivery, failure.SubjectKey), new Row(failure, null, null));
            }
        }

        return Task.CompletedTask;
    }

    public Task<ImmutableArray<NoticeFailure>> RetryingAsync(string region, string campaignId, string? after, int limit)
    {
        lock (_lock)
        {
            return Task.FromResult<ImmutableArray<NoticeFailure>>([.. Of(region, campaignId, NoticeFailureLog.Delivery)
                .Where(pair => pair.Value.IsOpen && (after is null || string.CompareOrdinal(pair.Key.Key, after) > 0))
                .Take(limit).Select(pair => pair.Value.Failure)]);
        }
    }

    public Task SettleAsync(string region, string campaignId, string subjectKey, string outcome) =>
        Change(region, campaignId, subjectKey, row => row with { Outcome = outcome });

    public Task FailAgainAsync(string region, string campaignId, string subjectKey, string reason, DateTimeOffset? giveUpAt) =>
        Change(region, campaignId, subjectKey, row => row with { Failure = row.Failure with { Reason = reason }, GaveUpAt = giveUpAt });

    public Task RecordEmailFailureAsync(string region, string campaignId, string subjectKey, string reason, DateTimeOffset at)
    {
        lock (_lock)
        {
            _rows.TryAdd(
                (Campaign(region, campaignId), NoticeFailureLog.Email, subjectKey),
                new Row(new NoticeFailure(subjectKey, SubjectKinds.User, reason, at), null, at));
        }

        return Task.CompletedTask;
    }

    public Task<NoticeFailureSummary> SummarizeAsync(string region, string campaignId, int keyLimit)
    {
        lock (_lock)
        {
            var deliveries = Of(region, campaignId, NoticeFailureLog.Delivery).Select(pair => pair.Value).ToList();
            var gaveUp = deliveries.Where(row => row is { Outcome: null, GaveUpAt: not null }).ToList();
            return Task.FromResult(new NoticeFailureSummary(
                deliveries.Count(row => row.IsOpen),
                gaveUp.GroupBy(row => row.Failure.Reason, StringComparer.Ordinal).ToImmutableDictionary(group => group.Key, group => (long)group.Count(), StringComparer.Ordinal),
                [.. gaveUp.Select(row => row.Failure.SubjectKey).Take(keyLimit)],
                deliveries.Where(row => row.Outcome is not null).GroupBy(row => row.Outcome!, StringComparer.Ordinal)
                    .ToImmutableDictionary(group => group.Key, group => (long)group.Count(), StringComparer.Ordinal),
                Of(region, campaignId, NoticeFailureLog.Email).LongCount()));
        }
    }

    private Task Change(string region, string campaignId, string subjectKey, Func<Row, Row> change)
    {
        lock (_lock)
        {
            var key = (Campaign(region, campaignId), NoticeFailureLog.Delivery, subjectKey);
            if (_rows.TryGetValue(key, out var row) && row.IsOpen)
            {
                _rows[key] = change(row);
            }
        }

        return Task.CompletedTask;
    }

    private IEnumerable<KeyValuePair<(string Campaign, string Failure, string Key), Row>> Of(string region, string campaignId, string failure) =>
        _rows.Where(pair => pair.Key.Campaign == Campaign(region, campaignId) && pair.Key.Failure == failure)
            .OrderBy(pair => pair.Key.Key, StringComparer.Ordinal);

    /// <summary>One process holds every region here: the region keeps their campaigns apart, as their databases do.</summary>
    private static string Campaign(string region, string campaignId) => $"{region}/{campaignId}";

    private sealed record Row(NoticeFailure Failure, string? Outcome, DateTimeOffset? GaveUpAt)
    {
        public bool IsOpen => Outcome is null && GaveUpAt is null;
    }
}
