using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Regions;

namespace PrimeDirective.Grains.Clusters;

/// <summary>
/// The report log in each region's PostgreSQL database (table <c>report</c>, V018: one row per report). Appends from
/// every grain of the silo are grouped: a few writers per database each take whatever appends are waiting (up to a bound)
/// and write them in one transaction (binary COPY, then one insert), so a report waits for the commit of its batch and
/// never for company.
/// </summary>
internal sealed partial class PostgresReportLog(RegionDatabases databases, ReportAddressSealing addresses, ILogger<PostgresReportLog> logger)
    : IReportLog, IAsyncDisposable
{
    /// <summary>Reports (rows) in one batch at most.</summary>
    private const int MaxBatchRows = 1000;

    /// <summary>Batches in flight per database: one waiting on its commit while the next fills.</summary>
    private const int WritersPerDatabase = 4;

    /// <summary>Deletions in flight per silo at most: a wave of due reminders queues here instead of draining the connection pool.</summary>
    private const int MaxConcurrentDeletions = 8;

    /// <summary>
    /// The common tail of every expiry deletion, after a <c>due</c> CTE of locked rows: <c>split</c> (per row: the
    /// items kept, whether its IP address goes, the earliest expiry kept), the rows emptied deleted, the others
    /// rewritten, and <c>counted</c> (destroyed items by category). Parameters: <c>@all</c>, <c>@now_us</c>.
    /// </summary>
    internal const string ExpireDueRows =
        """
        split as (
          select due.subject_key, due.report_id,
                 coalesce(jsonb_agg(item) filter (where not @all and (item ->> 'e')::bigint > @now_us), '[]'::jsonb) as kept,
                 bool_or(item ->> 'c' = 'ip-address' and (@all or (item ->> 'e')::bigint <= @now_us)) as ip_gone,
                 timestamptz 'epoch' + min((item ->> 'e')::bigint) filter (where not @all and (item ->> 'e')::bigint > @now_us)
                   * interval '1 microsecond' as next_at
          from due cross join lateral jsonb_array_elements(due.items) as item
          group by due.subject_key, due.report_id),
        emptied as (
          delete from report using split
          where report.subject_key = split.subject_key and report.report_id = split.report_id and split.next_at is null),
        trimmed as (
          update report set items = split.kept, expires_at = split.next_at,
                 ip_address = case when split.ip_gone then null else report.ip_address end
          from split
          where report.subject_key = split.subject_key and report.report_id = split.report_id and split.next_at is not null),
        counted as (
          select item ->> 'c' as category, count(*)::integer as count
          from due cross join lateral jsonb_array_elements(due.items) as item
          where @all or (item ->> 'e')::bigint <= @now_us
          group by 1)
        """;

    private readonly ConcurrentDictionary<string, Lazy<GroupWriter>> _writers = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _deletions = new(MaxConcurrentDeletions);

    public async Task<ReportAppend> AppendAsync(string region, string subjectKey, string reportId, IReadOnlyList<HeldItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var connectionString = databases.For(region);
        var row = ReportRowCodec.Encode(items);
        if (row.IpAddress is { } address)
        {
            // Sealed by the caller, before the queue: a key store out of reach fails this append alone, never its batch.
            var expiresAt = items.First(item => item.Category == DataCategory.IpAddress && item.Value == address).ExpiresAt!.Value;
            row = row with { IpAddress = await addresses.SealAsync(region, subjectKey, reportId, address, expiresAt) };
        }

        var writer = _writers.GetOrAdd(connectionString, key => new Lazy<GroupWriter>(() => new GroupWriter(key, this))).Value;
        var append = new PendingAppend(subjectKey, reportId, row);
        ObjectDisposedException.ThrowIf(!writer.Queue.Writer.TryWrite(append), this);

        return await append.Completion.Task;
    }

    public async Task<ItemPage> ReadAsync(string region, string subjectKey, DateTimeOffset now, string? after, int limit)
    {
        // Rows in (collected_at, report_id) order, their items in category order, those expired at `now` left out: the
        // order and the cursor of the item table before V018. The cursor's own row is read again for its later items.
        await using var connection = await OpenAsync(region);
        var cursor = Cursor.Parse(after);
        var items = ImmutableArray.CreateBuilder<HeldItem>();
        var rowTimes = new List<DateTimeOffset>();
        (DateTimeOffset At, string Report)? from = cursor is null ? null : (cursor.CollectedAt, cursor.ReportId);
        var inclusive = true;
        while (true)
        {
            await using var command = new NpgsqlCommand(
                """
                select report_id, collected_at, items, ip_address
                from report
                where subject_key = @subject
                  and (@after_at is null or (collected_at, report_id) > (@after_at, @after_report)
                       or (@inclusive and (collected_at, report_id) = (@after_at, @after_report)))
                order by collected_at, report_id
                limit @rows
                """,
                connection);
            command.Parameters.AddWithValue("subject", subjectKey);
            command.Parameters.Add(new NpgsqlParameter("after_at", NpgsqlDbType.TimestampTz) { Value = (object?)from?.At.UtcDateTime ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("after_report", NpgsqlDbType.Text) { Value = (object?)from?.Report ?? DBNull.Value });
            command.Parameters.AddWithValue("inclusive", inclusive);
            command.Parameters.AddWithValue("rows", limit + 1);
            var rows = 0;
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    rows++;
                    var reportId = reader.GetString(0);
                    var collectedAt = new DateTimeOffset(reader.GetDateTime(1), TimeSpan.Zero);
                    from = (collectedAt, reportId);
                    var cursorRow = cursor is not null && cursor.CollectedAt == collectedAt && cursor.ReportId == reportId;
                    var storedAddress = reader.IsDBNull(3) ? null : reader.GetString(3);
                    var address = await addresses.OpenAsync(subjectKey, reportId, storedAddress);
                    var addressProtection = await addresses.ProtectionOfAsync(storedAddress);
                    foreach (var decoded in ReportRowCodec.Decode(reportId, collectedAt, reader.GetString(2), address))
                    {
                        var item = decoded.Category == DataCategory.IpAddress ? decoded with { Protection = addressProtection } : decoded;
                        if (item.ExpiresAt <= now || (cursorRow && string.CompareOrdinal(WireNames.Of(item.Category), cursor!.Category) <= 0))
                        {
                            continue;
                        }

                        if (items.Count == limit)
                        {
                            var last = items[^1];
                            return new ItemPage(items.ToImmutable(), new Cursor(rowTimes[^1], last.ReportId!, WireNames.Of(last.Category)).ToString());
                        }

                        items.Add(item);
                        rowTimes.Add(collectedAt);
                    }
                }
            }

            if (rows <= limit)
            {
                return new ItemPage(items.ToImmutable(), null);
            }

            inclusive = false;
        }
    }

    public async Task<ImmutableDictionary<DataCategory, int>> CountAsync(string region, string subjectKey)
    {
        await using var connection = await OpenAsync(region);
        await using var command = new NpgsqlCommand(
            """
            select item ->> 'c', count(*)::integer
            from report cross join lateral jsonb_array_elements(report.items) as item
            where subject_key = @subject
            group by 1
            """,
            connection);
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
        // One statement, so one round trip and atomic by itself: the expired items leave their rows (a row left with
        // nothing goes; the IP address column is nulled with its item), their counts enter the ledger under one proof (a
        // retried deletion finds nothing left to count again), and the earliest expiry left comes back. The due rows are
        // locked first, so a concurrent deletion of the same rows counts nothing twice.
        await using var connection = await OpenAsync(region);
        await using var command = new NpgsqlCommand(
            $"""
            with due as (
              select subject_key, report_id, items from report
              where subject_key = @subject and (@all or expires_at <= @now)
              for update),
            {ExpireDueRows},
            proof as (
              insert into destruction_ledger (proof_id, category, region, day, subject_kind, why, count, destroyed_at)
              select @proof, category, @region, @day, @kind, @why, count, @now from counted
              on conflict (proof_id, category) do nothing)
            select counted.category, counted.count, left_over.next
            from (select least(
                    (select min(expires_at) from report where subject_key = @subject and not @all and expires_at > @now),
                    (select min(next_at) from split)) as next) as left_over
            left join counted on true
            """,
            connection);
        command.Parameters.AddWithValue("now_us", ReportRowCodec.Microseconds(now));
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
        // Each writer keeps its own session (and the session's staging table) from batch to batch; a session that broke
        // is dropped and the batch tried once more on a new one (what ON CONFLICT makes safe), then given up.
        NpgsqlConnection? session = null;
        try
        {
            while (await queue.WaitToReadAsync())
            {
                var batch = new List<PendingAppend>();
                var rows = 0;
                while (rows < MaxBatchRows && queue.TryRead(out var append))
                {
                    batch.Add(append);
                    rows++;
                }

                if (batch.Count == 0)
                {
                    continue;
                }

                for (var attempt = 1; ; attempt++)
                {
                    var reused = session is not null;
                    try
                    {
                        session ??= await OpenStagingAsync(connectionString);
                        await WriteBatchAsync(session, batch);
                        break;
                    }
                    catch (Exception exception)
                    {
                        if (session is not null)
                        {
                            await session.DisposeAsync();
                            session = null;
                        }

                        if (reused && attempt == 1 && exception is NpgsqlException or System.IO.IOException or InvalidOperationException)
                        {
                            continue;
                        }

                        // The type only: messages of database exceptions can carry values.
                        LogBatchFailed(logger, batch.Count, exception.GetType().Name);
                        foreach (var append in batch)
                        {
                            append.Completion.TrySetException(exception);
                        }

                        break;
                    }
                }
            }
        }
        finally
        {
            if (session is not null)
            {
                await session.DisposeAsync();
            }
        }
    }

    /// <summary>A session of its own for one writer, with the temporary table its batches are copied into (never logged, emptied at each commit).</summary>
    private static async Task<NpgsqlConnection> OpenStagingAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand(
                """
                create temporary table if not exists report_staging (
                  subject_key text not null, report_id text not null, collected_at timestamptz not null,
                  expires_at timestamptz not null, items jsonb not null, ip_address text null)
                on commit delete rows
                """,
                connection);
            await create.ExecuteNonQueryAsync();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Writes the batch in one transaction: binary COPY into the session's staging table, then one statement that
    /// inserts every report the subject does not hold yet (COPY itself cannot skip a repeat) and answers, for each, whether
    /// it was stored now and when it was first stored. A report twice in one batch (a duplicate activation's retry) is
    /// copied once; the later one is a repeat.
    /// </summary>
    private static async Task WriteBatchAsync(NpgsqlConnection connection, List<PendingAppend> batch)
    {
        var first = new Dictionary<(string, string), PendingAppend>();
        var repeats = new List<PendingAppend>();
        foreach (var append in batch)
        {
            if (!first.TryAdd((append.SubjectKey, append.ReportId), append))
            {
                repeats.Add(append);
            }
        }

        var outcomes = new Dictionary<(string, string), ReportAppend>();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using (var copy = await connection.BeginBinaryImportAsync(
                "copy report_staging (subject_key, report_id, collected_at, expires_at, items, ip_address) from stdin (format binary)"))
            {
                foreach (var append in first.Values)
                {
                    var (collectedAt, expiresAt, items, ipAddress) = append.Row;
                    await copy.StartRowAsync();
                    await copy.WriteAsync(append.SubjectKey, NpgsqlDbType.Text);
                    await copy.WriteAsync(append.ReportId, NpgsqlDbType.Text);
                    await copy.WriteAsync(collectedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                    await copy.WriteAsync(expiresAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                    await copy.WriteAsync(items, NpgsqlDbType.Jsonb);
                    if (ipAddress is null)
                    {
                        await copy.WriteNullAsync();
                    }
                    else
                    {
                        await copy.WriteAsync(ipAddress, NpgsqlDbType.Text);
                    }
                }

                await copy.CompleteAsync();
            }

            // `held` is the table before this statement's insert: a report it shows was there already. One stored by a
            // concurrent batch that committed while this insert waited is in neither; it is looked up afterwards.
            await using (var insert = new NpgsqlCommand(
                """
                with stored as (
                  insert into report (subject_key, report_id, collected_at, expires_at, items, ip_address)
                  select subject_key, report_id, collected_at, expires_at, items, ip_address from report_staging
                  on conflict (subject_key, report_id) do nothing
                  returning subject_key, report_id)
                select staged.subject_key, staged.report_id, stored.report_id is not null, coalesce(held.collected_at, staged.collected_at), held.report_id is not null
                from report_staging staged
                left join stored on stored.subject_key = staged.subject_key and stored.report_id = staged.report_id
                left join report held on held.subject_key = staged.subject_key and held.report_id = staged.report_id
                """,
                connection,
                transaction))
            {
                var racing = new List<(string, string)>();
                await using (var reader = await insert.ExecuteReaderAsync())
                {
                    while (await reader.ReadAsync())
                    {
                        var key = (reader.GetString(0), reader.GetString(1));
                        var (stored, seen) = (reader.GetBoolean(2), reader.GetBoolean(4));
                        outcomes[key] = new ReportAppend(stored, new DateTimeOffset(reader.GetDateTime(3), TimeSpan.Zero));
                        if (!stored && !seen)
                        {
                            racing.Add(key);
                        }
                    }
                }

                foreach (var (subjectKey, reportId) in racing)
                {
                    await using var earlier = new NpgsqlCommand(
                        "select collected_at from report where subject_key = @subject and report_id = @report", connection, transaction);
                    earlier.Parameters.AddWithValue("subject", subjectKey);
                    earlier.Parameters.AddWithValue("report", reportId);
                    if (await earlier.ExecuteScalarAsync() is DateTime at)
                    {
                        outcomes[(subjectKey, reportId)] = new ReportAppend(false, new DateTimeOffset(at, TimeSpan.Zero));
                    }
                }
            }

            await transaction.CommitAsync();
        }

        foreach (var append in first.Values)
        {
            append.Completion.TrySetResult(outcomes[(append.SubjectKey, append.ReportId)]);
        }

        foreach (var append in repeats)
        {
            append.Completion.TrySetResult(outcomes[(append.SubjectKey, append.ReportId)] with { Stored = false });
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} report append(s) failed ({ExceptionType}); each caller gets the failure")]
    private static partial void LogBatchFailed(ILogger logger, int count, string exceptionType);

    /// <summary>An append waiting for its batch's commit.</summary>
    private sealed record PendingAppend(string SubjectKey, string ReportId, (DateTimeOffset CollectedAt, DateTimeOffset ExpiresAt, string Items, string? IpAddress) Row)
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
