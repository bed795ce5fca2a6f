using Npgsql;
using NpgsqlTypes;

namespace PrimeDirective.Grains.Stats;

/// <summary>Where the raw aggregates live (forever: they name nobody; only releases of them are published).</summary>
public interface IAggregateStore
{
    /// <summary>Adds the increments (summed per day, metric and bucket) in one transaction, new buckets beyond <paramref name="cap"/> counted in <c>other</c>.</summary>
    Task AddAsync(IReadOnlyCollection<AggregateCount> increments, int cap);

    /// <summary>The raw counts of days <paramref name="firstDay"/> to <paramref name="lastDay"/>; never published as they are.</summary>
    Task<IReadOnlyList<AggregateCount>> ReadAsync(DateOnly firstDay, DateOnly lastDay);
}

/// <summary>The aggregates in the cluster database's <c>aggregate_count</c> (V008, bounds V013).</summary>
internal sealed class PostgresAggregateStore(string connectionString) : IAggregateStore
{
    /// <summary>Every silo's flush takes this transaction lock, so the cap is counted against what the others wrote ("PDaggcap").</summary>
    private const long CapLockKey = 0x5044616767636170;

    public async Task AddAsync(IReadOnlyCollection<AggregateCount> increments, int cap)
    {
        ArgumentNullException.ThrowIfNull(increments);
        if (increments.Count == 0)
        {
            return;
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var gate = new NpgsqlCommand("select pg_advisory_xact_lock(@key)", connection, transaction))
        {
            gate.Parameters.AddWithValue("key", CapLockKey);
            await gate.ExecuteNonQueryAsync();
        }

        var held = new List<(DateOnly, string, string)>();
        await using (var read = new NpgsqlCommand(
            """
            select a.day, a.metric, a.bucket from aggregate_count a
            join (select distinct * from unnest(@days, @metrics)) as batch (day, metric) on a.day = batch.day and a.metric = batch.metric
            """,
            connection,
            transaction))
        {
            read.Parameters.Add(Array("days", NpgsqlDbType.Date, increments.Select(count => count.Day)));
            read.Parameters.Add(Array("metrics", NpgsqlDbType.Text, increments.Select(count => count.Metric)));
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                held.Add((reader.GetFieldValue<DateOnly>(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        var admitted = BucketCap.Apply(held, increments, cap);
        await using (var upsert = new NpgsqlCommand(
            """
            insert into aggregate_count (day, metric, bucket, clusters, apps, jobs, apps_bound, jobs_bound)
            select * from unnest(@days, @metrics, @buckets, @clusters, @apps, @jobs, @apps_bounds, @jobs_bounds)
            on conflict (day, metric, bucket) do update set
              clusters = aggregate_count.clusters + excluded.clusters,
              apps = aggregate_count.apps + excluded.apps,
              jobs = aggregate_count.jobs + excluded.jobs,
              apps_bound = greatest(aggregate_count.apps_bound, excluded.apps_bound),
              jobs_bound = greatest(aggregate_count.jobs_bound, excluded.jobs_bound)
            """,
            connection,
            transaction))
        {
            upsert.Parameters.Add(Array("days", NpgsqlDbType.Date, admitted.Select(count => count.Day)));
            upsert.Parameters.Add(Array("metrics", NpgsqlDbType.Text, admitted.Select(count => count.Metric)));
            upsert.Parameters.Add(Array("buckets", NpgsqlDbType.Text, admitted.Select(count => count.Bucket)));
            upsert.Parameters.Add(Array("clusters", NpgsqlDbType.Bigint, admitted.Select(count => count.Clusters)));
            upsert.Parameters.Add(Array("apps", NpgsqlDbType.Bigint, admitted.Select(count => count.Apps)));
            upsert.Parameters.Add(Array("jobs", NpgsqlDbType.Bigint, admitted.Select(count => count.Jobs)));
            upsert.Parameters.Add(Array("apps_bounds", NpgsqlDbType.Bigint, admitted.Select(count => count.AppsBound)));
            upsert.Parameters.Add(Array("jobs_bounds", NpgsqlDbType.Bigint, admitted.Select(count => count.JobsBound)));
            await upsert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    public async Task<IReadOnlyList<AggregateCount>> ReadAsync(DateOnly firstDay, DateOnly lastDay)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select day, metric, bucket, clusters, apps, jobs, apps_bound, jobs_bound from aggregate_count where day between @from and @to order by day, metric, bucket",
            connection);
        command.Parameters.AddWithValue("from", firstDay);
        command.Parameters.AddWithValue("to", lastDay);
        return await ReadCountsAsync(command);
    }

    /// <summary>The counts a <c>select day, metric, bucket, clusters, apps, jobs, apps_bound, jobs_bound</c> returns.</summary>
    internal static async Task<IReadOnlyList<AggregateCount>> ReadCountsAsync(NpgsqlCommand command)
    {
        var counts = new List<AggregateCount>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            counts.Add(new AggregateCount(
                reader.GetFieldValue<DateOnly>(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7)));
        }

        return counts;
    }

    /// <summary>An array parameter for <c>unnest</c>.</summary>
    internal static NpgsqlParameter Array<T>(string name, NpgsqlDbType type, IEnumerable<T> values) =>
        new(name, NpgsqlDbType.Array | type) { Value = values.ToArray() };
}

/// <summary>The aggregates of the in-memory development mode.</summary>
internal sealed class InMemoryAggregateStore : IAggregateStore
{
    private readonly Dictionary<(DateOnly, string, string), AggregateCount> _counts = [];

    public Task AddAsync(IReadOnlyCollection<AggregateCount> increments, int cap)
    {
        lock (_counts)
        {
            foreach (var increment in BucketCap.Apply(_counts.Keys.ToList(), increments, cap))
            {
                var key = (increment.Day, increment.Metric, increment.Bucket);
                _counts[key] = _counts.TryGetValue(key, out var held) ? held.Plus(increment) : increment;
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AggregateCount>> ReadAsync(DateOnly firstDay, DateOnly lastDay) => Task.FromResult(Read(firstDay, lastDay));

    /// <summary>The counts of days <paramref name="firstDay"/> to <paramref name="lastDay"/>, now.</summary>
    public IReadOnlyList<AggregateCount> Read(DateOnly firstDay, DateOnly lastDay)
    {
        lock (_counts)
        {
            return [.. _counts.Values.Where(count => count.Day >= firstDay && count.Day <= lastDay)];
        }
    }
}
