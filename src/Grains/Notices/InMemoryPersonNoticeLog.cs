using System.Collections.Immutable;

namespace PrimeDirective.Grains.Notices;

/// <summary>The person notice rows of the in-memory development mode.</summary>
internal sealed class InMemoryPersonNoticeLog : IPersonNoticeLog
{
    private readonly Dictionary<(string Region, string Person, string Campaign), Row> _rows = [];
    private readonly Lock _lock = new();
    private long _seq;

    public Task<ImmutableArray<StoredNotice>> AppendAsync(string region, IReadOnlyCollection<PersonNoticeRow> rows, DateTimeOffset emailDueAt)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Any(row => row.Email is null))
        {
            throw new ArgumentException("Every appended notice carries its email.", nameof(rows));
        }

        if (rows.DistinctBy(row => (row.Person, row.CampaignId)).Count() != rows.Count)
        {
            throw new ArgumentException("One row per person and campaign.", nameof(rows));
        }

        lock (_lock)
        {
            return Task.FromResult(rows.Select(row => _rows.TryAdd((region, row.Person, row.CampaignId), new Row(row, "pending", emailDueAt, ++_seq))
                ? new StoredNotice(row.Person, row.Via, New: true)
                : new StoredNotice(row.Person, _rows[(region, row.Person, row.CampaignId)].Notice.Via, New: false)).ToImmutableArray());
        }
    }

    public Task<ImmutableArray<(PersonNoticeRow Row, string EmailState)>> ForPersonAsync(string region, string person)
    {
        lock (_lock)
        {
            return Task.FromResult(_rows.Where(pair => pair.Key.Region == region && pair.Key.Person == person)
                .Select(pair => pair.Value).OrderBy(row => row.Notice.At).ThenBy(row => row.Seq)
                .Select(row => (row.Notice, row.EmailState)).ToImmutableArray());
        }
    }

    public Task<ImmutableArray<DueNoticeEmail>> ClaimDueEmailsAsync(string region, DateTimeOffset now, DateTimeOffset nextDue, int limit)
    {
        lock (_lock)
        {
            var due = _rows.Where(pair => pair.Key.Region == region && pair.Value.EmailState == "pending" && pair.Value.DueAt <= now)
                .OrderBy(pair => pair.Value.DueAt).Take(limit).ToList();
            foreach (var (key, row) in due)
            {
                _rows[key] = row with { DueAt = nextDue };
            }

            return Task.FromResult(due.Select(pair => new DueNoticeEmail(pair.Key.Person, pair.Key.Campaign, pair.Value.Notice.Email!, pair.Value.Notice.At, pair.Value.Notice.Via)).ToImmutableArray());
        }
    }

    public Task<int> SettleEmailsAsync(string region, IReadOnlyCollection<NoticeEmailFate> fates)
    {
        ArgumentNullException.ThrowIfNull(fates);
        lock (_lock)
        {
            var settled = 0;
            foreach (var fate in fates)
            {
                if (_rows.TryGetValue((region, fate.Person, fate.CampaignId), out var row) && row.EmailState == "pending")
                {
                    _rows[(region, fate.Person, fate.CampaignId)] = new Row(row.Notice with { Email = null }, PersonNoticeLog.State(fate.Fate), null, row.Seq);
                    settled++;
                }
            }

            return Task.FromResult(settled);
        }
    }

    public Task<int> DeletePersonAsync(string region, string person)
    {
        lock (_lock)
        {
            var keys = _rows.Keys.Where(key => key.Region == region && key.Person == person).ToList();
            keys.ForEach(key => _rows.Remove(key));
            return Task.FromResult(keys.Count);
        }
    }

    private sealed record Row(PersonNoticeRow Notice, string EmailState, DateTimeOffset? DueAt, long Seq);
}
