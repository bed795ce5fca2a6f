using System.Collections.Immutable;
using Npgsql;
using NpgsqlTypes;
using PrimeDirective.Grains.Interfaces.Stats;

namespace PrimeDirective.Grains.Stats;

/// <summary>One closed day as released: how, and its rows.</summary>
public sealed record DayRelease(StatsDay Day, ImmutableArray<StatsRow> Rows);

/// <summary>The releases: each day at most once, never changed after.</summary>
public interface IReleaseStore
{
    /// <summary>The first day not yet released that may be: none while nothing was ever counted.</summary>
    Task<DateOnly?> NextUnreleasedAsync();

    /// <summary>
    /// Releases <paramref name="day"/> from its raw counts with <paramref name="release"/>, unless it already was: then
    /// nothing is drawn and false is returned. Whoever calls, on whichever silo, a day is released exactly once.
    /// </summary>
    Task<bool> ReleaseAsync(DateOnly day, Func<IReadOnlyList<AggregateCount>, DayRelease> release);

    /// <summary>The latest released day.</summary>
    Task<DateOnly?> LatestAsync();

    /// <summary>The released days from <paramref name="firstDay"/> to <paramref name="lastDay"/>.</summary>
    Task<IReadOnlyList<DayRelease>> ReadAsync(DateOnly firstDay, DateOnly lastDay);
}

/// <summary>
/// The releases in the cluster database (V013): <c>stats_release</c>, its rows and budget, written in one transaction
/// under an advisory lock every silo of every region takes, and refused any later change by the database.
/// </summary>
internal sealed class PostgresReleaseStore(string connectionString) : IReleaseStore
{
    /// <summary>The transaction lock of a release ("PDreleas").</summary>
    private const long ReleaseLockKey = 0x504472656C656173;

    public async Task<DateOnly?> NextUnreleasedAsync()
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();

        // After the latest release; before any, from the first day counted, but never before the floor (V013).
        await using var command = new NpgsqlCommand(
            """
            select coalesce(
              (select max(day) + 1 from stats_release),
              (select case when min(a.day) is null then null else greatest(min(a.day), (select first_day from stats_release_floor)) end from aggregate_count a))
            """,
            connection);
        return AsDay(await command.ExecuteScalarAsync());
    }

    public async Task<bool> ReleaseAsync(DateOnly day, Func<IReadOnlyList<AggregateCount>, DayRelease> release)
    {
        ArgumentNullException.ThrowIfNull(release);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var gate = new NpgsqlCommand("select pg_advisory_xact_lock(@key)", connection, transaction))
        {
            gate.Parameters.AddWithValue("key", ReleaseLockKey);
            await gate.ExecuteNonQueryAsync();
        }

        await using (var released = new NpgsqlCommand("select exists (select 1 from stats_release where day = @day)", connection, transaction))
        {
            released.Parameters.AddWithValue("day", day);
            if (await released.ExecuteScalarAsync() is true)
            {
                return false;
            }
        }

        IReadOnlyList<AggregateCount> counts;
        await using (var read = new NpgsqlCommand(
            "select day, metric, bucket, clusters, apps, jobs, apps_bound, jobs_bound from aggregate_count where day = @day", connection, transaction))
        {
            read.Parameters.AddWithValue("day", day);
            counts = await PostgresAggregateStore.ReadCountsAsync(read);
        }

        var (header, rows) = release(counts);
        await using (var write = new NpgsqlCommand(
            """
            insert into stats_release (day, released_at, k, epsilon, delta) values (@day, @released_at, @k, @epsilon, @delta);
            insert into stats_release_budget (day, statistic, epsilon, sensitivity, threshold)
              select @day, * from unnest(@statistics, @epsilons, @sensitivities, @thresholds);
            insert into stats_release_row (day, metric, bucket, clusters, apps, jobs)
              select @day, * from unnest(@metrics, @buckets, @clusters, @apps, @jobs);
            """,
            connection,
            transaction))
        {
            write.Parameters.AddWithValue("day", day);
            write.Parameters.AddWithValue("released_at", header.ReleasedAt);
            write.Parameters.AddWithValue("k", header.K);
            write.Parameters.AddWithValue("epsilon", header.Epsilon);
            write.Parameters.AddWithValue("delta", header.Delta);
            write.Parameters.Add(PostgresAggregateStore.Array("statistics", NpgsqlDbType.Text, header.Budget.Select(entry => entry.Statistic)));
            write.Parameters.Add(PostgresAggregateStore.Array("epsilons", NpgsqlDbType.Double, header.Budget.Select(entry => entry.Epsilon)));
            write.Parameters.Add(PostgresAggregateStore.Array("sensitivities", NpgsqlDbType.Bigint, header.Budget.Select(entry => entry.Sensitivity)));
            write.Parameters.Add(PostgresAggregateStore.Array("thresholds", NpgsqlDbType.Bigint, header.Budget.Select(entry => entry.Threshold)));
            write.Parameters.Add(PostgresAggregateStore.Array("metrics", NpgsqlDbType.Text, rows.Select(row => row.Metric)));
            write.Parameters.Add(PostgresAggregateStore.Array("buckets", NpgsqlDbType.Text, rows.Select(row => row.Bucket)));
            write.Parameters.Add(PostgresAggregateStore.Array("clusters", NpgsqlDbType.Bigint, rows.Select(row => row.Clusters)));
            write.Parameters.Add(PostgresAggregateStore.Array("apps", NpgsqlDbType.Bigint, rows.Select(row => row.Apps)));
            write.Parameters.Add(PostgresAggregateStore.Array("jobs", NpgsqlDbType.Bigint, rows.Select(row => row.Jobs)));
            await write.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        return true;
    }

    public async Task<DateOnly?> LatestAsync()
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select max(day) from stats_release", connection);
        return AsDay(await command.ExecuteScalarAsync());
    }

    public async Task<IReadOnlyList<DayRelease>> ReadAsync(DateOnly firstDay, DateOnly lastDay)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var budgets = new Dictionary<DateOnly, List<StatsBudget>>();
        await using (var command = Range(connection, "select day, statistic, epsilon, sensitivity, threshold from stats_release_budget where day between @from and @to", firstDay, lastDay))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                ListOf(budgets, reader.GetFieldValue<DateOnly>(0)).Add(new StatsBudget(
                    reader.GetString(1), reader.GetDouble(2), reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetInt64(4)));
            }
        }

        var rows = new Dictionary<DateOnly, List<StatsRow>>();
        await using (var command = Range(connection, "select day, metric, bucket, clusters, apps, jobs from stats_release_row where day between @from and @to order by day, metric, bucket", firstDay, lastDay))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var day = reader.GetFieldValue<DateOnly>(0);
                ListOf(rows, day).Add(new StatsRow(
                    day, reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetInt64(4), reader.IsDBNull(5) ? null : reader.GetInt64(5)));
            }
        }

        var releases = new List<DayRelease>();
        await using (var command = Range(connection, "select day, released_at, k, epsilon, delta from stats_release where day between @from and @to order by day", firstDay, lastDay))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var day = reader.GetFieldValue<DateOnly>(0);
                var budget = budgets.GetValueOrDefault(day) ?? [];
                releases.Add(new DayRelease(
                    new StatsDay(day, reader.GetFieldValue<DateTimeOffset>(1), reader.GetInt32(2), reader.GetDouble(3), reader.GetDouble(4),
                        [.. budget.OrderBy(entry => StatsStatistics.All.IndexOf(entry.Statistic))]),
                    [.. rows.GetValueOrDefault(day) ?? []]));
            }
        }

        return releases;
    }

    /// <summary>A <c>date</c> scalar, whichever CLR type the driver maps it to; none for NULL.</summary>
    private static DateOnly? AsDay(object? value) => value switch
    {
        DateOnly day => day,
        DateTime time => DateOnly.FromDateTime(time),
        _ => null,
    };

    private static NpgsqlCommand Range(NpgsqlConnection connection, string sql, DateOnly firstDay, DateOnly lastDay)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("from", firstDay);
        command.Parameters.AddWithValue("to", lastDay);
        return command;
    }

    private static List<T> ListOf<T>(Dictionary<DateOnly, List<T>> lists, DateOnly day)
    {
        if (!lists.TryGetValue(day, out var list))
        {
            list = [];
            lists[day] = list;
        }

        return list;
    }
}

/// <summary>The releases of the in-memory development mode (no floor: nothing older than the process exists).</summary>
internal sealed class InMemoryReleaseStore(InMemoryAggregateStore aggregates) : IReleaseStore
{
    private readonly SortedDictionary<DateOnly, DayRelease> _releases = [];

    public Task<DateOnly?> NextUnreleasedAsync()
    {
        lock (_releases)
        {
            if (_releases.Count > 0)
            {
                return Task.FromResult<DateOnly?>(_releases.Keys.Last().AddDays(1));
            }

            var counts = aggregates.Read(DateOnly.MinValue, DateOnly.MaxValue);
            return Task.FromResult<DateOnly?>(counts.Count == 0 ? null : counts.Min(count => count.Day));
        }
    }

    public Task<bool> ReleaseAsync(DateOnly day, Func<IReadOnlyList<AggregateCount>, DayRelease> release)
    {
        ArgumentNullException.ThrowIfNull(release);
        lock (_releases)
        {
            if (_releases.ContainsKey(day))
            {
                return Task.FromResult(false);
            }

            _releases[day] = release(aggregates.Read(day, day));
            return Task.FromResult(true);
        }
    }

    public Task<DateOnly?> LatestAsync()
    {
        lock (_releases)
        {
            return Task.FromResult<DateOnly?>(_releases.Count == 0 ? null : _releases.Keys.Last());
        }
    }

    public Task<IReadOnlyList<DayRelease>> ReadAsync(DateOnly firstDay, DateOnly lastDay)
    {
        lock (_releases)
        {
            return Task.FromResult<IReadOnlyList<DayRelease>>([.. _releases.Values.Where(release => release.Day.Day >= firstDay && release.Day.Day <= lastDay)]);
        }
    }
}
