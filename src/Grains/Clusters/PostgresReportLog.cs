using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Regions;

namespace PrimeDirective.Grains.Clusters;

/// <summary>
/// The report log in each region's PostgreSQL database (table <c>report_item</c>, V004). Appends from every grain of the
/// silo are grouped: a few writers per database each take whatever appends are waiting (up to a bound) and insert them
/// in one statement, so a report waits for the commit of its batch and never for company.
/// </summary>
internal sealed partial class PostgresReportLog(RegionDatabases databases, ILogger<PostgresReportLog> logger) : IReportLog, IAsyncDisposable
{
    /// <summary>Rows in one insert at most.</summary>
    private const int MaxBatchRows = 1000;

    /// <summary>Batches in flight per database: one waiting on its commit while the next fills.</summary>
    private const int WritersPerDatabase = 4;

    /// <summary>Deletions in flight per silo at most: a wave of due reminders queues here instead of draining the connection pool.</summary>
    private const int MaxConcurrentDeletions = 8;

    private readonly ConcurrentDictionary<string, Lazy<GroupWriter>> _writers = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _deletions = new(MaxConcurrentDeletions);

    public Task<ReportAppend> AppendAsync(string region, string subjectKey, string reportId, IReadOnlyList<HeldItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var connectionString = databases.For(region);
        var writer = _writers.GetOrAdd(connectionString, key => new Lazy<GroupWriter>(() => new GroupWriter(key, this))).Value;
        var append = new PendingAppend(subjectKey, reportId, items);
        ObjectDisposedException.ThrowIf(!writer.Queue.Writer.TryWrite(append), this);

        return append.Completion.Task;
    }

    public async Task<ItemPage> ReadAsync(string region, string subjectKey, DateTimeOffset now, string? after, int limit)
    {
        await using var connection = await OpenAsync(region);
        var cursor = Cursor.Parse(after);
        await using var command = new NpgsqlCommand(
            """
            select report_id, category, source, purpose, collected_at, expires_at, personal, value, metrics, basis
            from report_item
            where subject_key = @subject and expires_at > @now
              and (@after_at is null or (collected_at, report_id, category) > (@after_at, @after_report, @after_category))
            order by collected_at, report_id, category
            limit @limit
            """,
            connection);
        command.Parameters.AddWithValue("subject", subjectKey);
        command.Parameters.AddWithValue("now", now.UtcDateTime);
        command.Parameters.Add(new NpgsqlParameter("after_at", NpgsqlDbType.TimestampTz) { Value = (object?)cursor?.CollectedAt.UtcDateTime ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("after_report", NpgsqlDbType.Text) { Value = (object?)cursor?.ReportId ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("after_category", NpgsqlDbType.Text) { Value = (object?)cursor?.Category ?? DBNull.Value });
        command.Parameters.AddWithValue("limit", limit + 1);
        var items = ImmutableArray.CreateBuilder<HeldItem>();
        string? next = null;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var reportId = reader.GetString(0);
            var category = WireNames.Parse<DataCategory>(reader.GetString(1));
            var collectedAt = new DateTimeOffset(reader.GetDateTime(4), TimeSpan.Zero);
            if (items.Count == limit)
            {
                var last = items[^1];
                next = new Cursor(last.CollectedAt, last.ReportId!, WireNames.Of(last.Category)).ToString();
                break;
            }

            items.Add(new HeldItem(
                ReportRows.ItemId(reportId, category), reportId, category, WireNames.Parse<DataSource>(reader.GetString(2)),
                WireNames.Parse<DataPurpose>(reader.GetString(3)), collectedAt, new DateTimeOffset(reader.GetDateTime(5), TimeSpan.Zero),
                reader.GetBoolean(6), reader.IsDBNull(7) ? null : reader.GetString(7),
                JsonSerializer.Deserialize<ImmutableDictionary<string, double>>(reader.GetString(8)) ?? ImmutableDictionary<string, double>.Empty,
                reader.IsDBNull(9) ? null : reader.GetString(9)));
        }

        return new ItemPage(items.ToImmutable(), next);
    }

    public async Task<ImmutableDictionary<DataCategory, int>> CountAsync(string region, string subjectKey)
    {
        await using var connection = await OpenAsync(region);
        await using var command = new NpgsqlCommand(
            "select category, count(*)::integer from report_item where subject_key = @subject group by category", connection);
        command.Parameters.AddWithValue("subject", subjectKey);
        return await ReadCountsAsync(command);
    }

    public async Task<ReportDeletion> DeleteAsync(string region, string subjectKey, DateTimeOffset now, bool all, string subjectKind, string why)
    {
        await _deletions.WaitAsync();
        try
        {
            return await DeleteNowAsync(region, subjectKey, now, all, subjectKind, why);
        }
        finally
        {
            _deletions.Release();
        }
    }

    private async Task<ReportDeletion> DeleteNowAsync(string region, string subjectKey, DateTimeOffset now, bool all, string subjectKind, string why)
    {
        // One statement, so one round trip and atomic by itself: the rows go, their counts enter the ledger under one
        // proof (a retried deletion finds nothing left to count again), and the earliest expiry left comes back. The
        // sub-select sees the rows as they were before the delete, hence the `expires_at > @now`.
        await using var connection = await OpenAsync(region);
        await using var command = new NpgsqlCommand(
            """
            with gone as (
              delete from report_item where subject_key = @subject and (@all or expires_at <= @now) returning category),
            counted as (select category, count(*)::integer as count from gone group by category),
            proof as (
              insert into destruction_ledger (proof_id, category, region, day, subject_kind, why, count, destroyed_at)
              select @proof, category, @region, @day, @kind, @why, count, @now from counted
              on conflict (proof_id, category) do nothing)
            select counted.category, counted.count, left_over.next
            from (select min(expires_at) as next from report_item where subject_key = @subject and not @all and expires_at > @now) as left_over
            left join counted on true
            """,
            connection);
        command.Parameters.AddWithValue("subject", subjectKey);
        command.Parameters.AddWithValue("now", now.UtcDateTime);
        command.Parameters.AddWithValue("all", all);
        command.Parameters.AddWithValue("proof", Guid.NewGuid().ToString("N"));
        command.Parameters.AddWithValue("region", region);
        command.Parameters.AddWithValue("day", DateOnly.FromDateTime(now.UtcDateTime));
        command.Parameters.AddWithValue("kind", subjectKind);
        command.Parameters.AddWithValue("why", why);

        var destroyed = ImmutableDictionary.CreateBuilder<DataCategory, int>();
        DateTimeOffset? next = null;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            if (!reader.IsDBNull(0))
            {
                destroyed[WireNames.Parse<DataCategory>(reader.GetString(0))] = reader.GetInt32(1);
            }

            next = reader.IsDBNull(2) ? null : new DateTimeOffset(reader.GetDateTime(2), TimeSpan.Zero);
        }

        return new ReportDeletion(destroyed.ToImmutable(), next);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var writer in _writers.Values.Where(lazy => lazy.IsValueCreated))
        {
            writer.Value.Queue.Writer.TryComplete();
        }

        // Appends already queued are written before the silo lets go of the log.
        await Task.WhenAll(_writers.Values.Where(lazy => lazy.IsValueCreated).SelectMany(lazy => lazy.Value.Loops));
        _deletions.Dispose();
    }

    private async Task<NpgsqlConnection> OpenAsync(string region)
    {
        var connection = new NpgsqlConnection(databases.For(region));
        await connection.OpenAsync();
        return connection;
    }

    private static async Task<ImmutableDictionary<DataCategory, int>> ReadCountsAsync(NpgsqlCommand command)
    {
        var counts = ImmutableDictionary.CreateBuilder<DataCategory, int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            counts[WireNames.Parse<DataCategory>(reader.GetString(0))] = reader.GetInt32(1);
        }

        return counts.ToImmutable();
    }

    /// <summary>One database's queue of appends and the loops that write it in batches.</summary>
    private sealed class GroupWriter
    {
        public GroupWriter(string connectionString, PostgresReportLog log)
        {
            Loops = [.. Enumerable.Range(0, WritersPerDatabase).Select(_ => Task.Run(() => log.WriteLoopAsync(connectionString, Queue.Reader)))];
        }

        public Channel<PendingAppend> Queue { get; } = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleWriter = false });

        public Task[] Loops { get; }
    }

    private async Task WriteLoopAsync(string connectionString, ChannelReader<PendingAppend> queue)
    {
        while (await queue.WaitToReadAsync())
        {
            var batch = new List<PendingAppend>();
            var rows = 0;
            while (rows < MaxBatchRows && queue.TryRead(out var append))
            {
                batch.Add(append);
                rows += append.Items.Count;
            }

            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                await WriteBatchAsync(connectionString, batch);
            }
            catch (Exception exception)
            {
                // The type only: messages of database exceptions can carry values.
                LogBatchFailed(logger, batch.Count, exception.GetType().Name);
                foreach (var append in batch)
                {
                    append.Completion.TrySetException(exception);
                }
            }
        }
    }

    /// <summary>
    /// Inserts the batch in one statement, none of a report whose id the subject already holds (whatever its items); an
    /// append refused so learns when its report was first stored.
    /// </summary>
    private static async Task WriteBatchAsync(string connectionString, List<PendingAppend> batch)
    {
        // The same report twice in one batch (a duplicate activation's retry): the later one is a repeat.
        var first = new Dictionary<(string, string), PendingAppend>();
        var repeats = new List<PendingAppend>();
        foreach (var append in batch)
        {
            if (!first.TryAdd((append.SubjectKey, append.ReportId), append))
            {
                repeats.Add(append);
            }
        }

        var rows = first.Values.SelectMany(append => append.Items.Select(item => (append, item))).ToList();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var stored = new HashSet<(string, string)>();
        await using (var insert = new NpgsqlCommand(
            """
            insert into report_item (subject_key, report_id, category, source, purpose, collected_at, expires_at, personal, value, metrics, basis)
            select * from unnest(@subject, @report, @category, @source, @purpose, @collected, @expires, @personal, @value, @metrics, @basis)
              as appended(subject_key, report_id, category, source, purpose, collected_at, expires_at, personal, value, metrics, basis)
            where not exists (
              select 1 from report_item held where held.subject_key = appended.subject_key and held.report_id = appended.report_id)
            on conflict (subject_key, report_id, category) do nothing
            returning subject_key, report_id
            """,
            connection))
        {
            insert.Parameters.Add(Array("subject", NpgsqlDbType.Text, rows.Select(row => row.append.SubjectKey)));
            insert.Parameters.Add(Array("report", NpgsqlDbType.Text, rows.Select(row => row.append.ReportId)));
            insert.Parameters.Add(Array("category", NpgsqlDbType.Text, rows.Select(row => WireNames.Of(row.item.Category))));
            insert.Parameters.Add(Array("source", NpgsqlDbType.Text, rows.Select(row => WireNames.Of(row.item.Source))));
            insert.Parameters.Add(Array("purpose", NpgsqlDbType.Text, rows.Select(row => WireNames.Of(row.item.Purpose))));
            insert.Parameters.Add(Array("collected", NpgsqlDbType.TimestampTz, rows.Select(row => row.item.CollectedAt.UtcDateTime)));
            insert.Parameters.Add(Array("expires", NpgsqlDbType.TimestampTz, rows.Select(row => row.item.ExpiresAt!.Value.UtcDateTime)));
            insert.Parameters.Add(Array("personal", NpgsqlDbType.Boolean, rows.Select(row => row.item.Personal)));
            insert.Parameters.Add(Array("value", NpgsqlDbType.Text, rows.Select(row => row.item.Value)));
            insert.Parameters.Add(Array("metrics", NpgsqlDbType.Jsonb, rows.Select(row => JsonSerializer.Serialize(row.item.Metrics))));
            insert.Parameters.Add(Array("basis", NpgsqlDbType.Text, rows.Select(row => row.item.Basis)));
            await using var reader = await insert.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                stored.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        foreach (var append in first.Values.Where(append => stored.Contains((append.SubjectKey, append.ReportId))))
        {
            append.Completion.TrySetResult(new ReportAppend(true, append.Items[0].CollectedAt));
        }

        foreach (var append in first.Values.Where(append => !stored.Contains((append.SubjectKey, append.ReportId))).Concat(repeats))
        {
            await using var earlier = new NpgsqlCommand(
                "select min(collected_at) from report_item where subject_key = @subject and report_id = @report", connection);
            earlier.Parameters.AddWithValue("subject", append.SubjectKey);
            earlier.Parameters.AddWithValue("report", append.ReportId);
            var acceptedAt = await earlier.ExecuteScalarAsync() is DateTime at ? new DateTimeOffset(at, TimeSpan.Zero) : append.Items[0].CollectedAt;
            append.Completion.TrySetResult(new ReportAppend(false, acceptedAt));
        }
    }

    private static NpgsqlParameter Array<T>(string name, NpgsqlDbType type, IEnumerable<T> values) =>
        new(name, NpgsqlDbType.Array | type) { Value = values.ToArray() };

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} report append(s) failed ({ExceptionType}); each caller gets the failure")]
    private static partial void LogBatchFailed(ILogger logger, int count, string exceptionType);

    /// <summary>An append waiting for its batch's commit.</summary>
    private sealed record PendingAppend(string SubjectKey, string ReportId, IReadOnlyList<HeldItem> Items)
    {
        public TaskCompletionSource<ReportAppend> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The position after the last item of a page: its collection time, report and category.</summary>
    private sealed record Cursor(DateTimeOffset CollectedAt, string ReportId, string Category)
    {
        public static Cursor? Parse(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return null;
            }

            var parts = text.Split('|', 3);
            return parts.Length == 3 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                ? new Cursor(new DateTimeOffset(ticks, TimeSpan.Zero), parts[1], parts[2])
                : throw new FormatException("Not a page cursor.");
        }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{CollectedAt.UtcTicks}|{ReportId}|{Category}");
    }
}
