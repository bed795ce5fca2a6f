using Npgsql;
using NpgsqlTypes;

namespace PrimeDirective.Grains.Stats;

/// <summary>Where the aggregates live (forever: they name nobody).</summary>
public interface IAggregateStore
{
    /// <summary>Adds the increments (summed per day, metric and bucket) in one transaction.</summary>
    Task AddAsync(IReadOnlyCollection<AggregateCount> increments);

    /// <summary>The raw counts of days <paramref name="firstDay"/> to <paramref name="lastDay"/>; never published as they are.</summary>
    Task<IReadOnlyList<AggregateCount>> ReadAsync(DateOnly firstDay, DateOnly lastDay);
}

/// <summary>The aggregates in the cluster database's <c>aggregate_count</c> (V008): one upsert statement per batch.</summary>
internal sealed class PostgresAggregateStore(string connectionString) : IAggregateStore
{
    public async Task AddAsync(IReadOnlyCollection<AggregateCount> increments)
    {
        ArgumentNullException.ThrowIfNull(increments);
        if (increments.Count == 0)
        {
            return;
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            insert into aggregate_count (day, metric, bucket, clusters, apps, jobs)
            select * from unnest(@days, @metrics, @buckets, @clusters, @apps, @jobs)
            on conflict (day, metric, bucket) do update set
              clusters = aggregate_count.clusters + excluded.clusters,
              apps = aggregate_count.apps + excluded.apps,
              jobs = aggregate_count.jobs + excluded.jobs
            """,
            connection);
        command.Parameters.Add(new NpgsqlParameter("days", NpgsqlDbType.Array | NpgsqlDbType.Date) { Value = increments.Select(count => count.Day).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("metrics", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = increments.Select(count => count.Metric).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("buckets", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = increments.Select(count => count.Bucket).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("clusters", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = increments.Select(count => count.Clusters).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("apps", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = increments.Select(count => count.Apps).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("jobs", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = increments.Select(count => count.Jobs).ToArray() });
        await command.ExecuteNonQueryAsync();
    }

    public async Task<IReadOnlyList<AggregateCount>> ReadAsync(DateOnly firstDay, DateOnly lastDay)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select day, metric, bucket, clusters, apps, jobs from aggregate_count where day between @from and @to order by day, metric, bucket", connection);
        command.Parameters.AddWithValue("from", firstDay);
        command.Parameters.AddWithValue("to", lastDay);
        var counts = new List<AggregateCount>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            counts.Add(new AggregateCount(reader.GetFieldValue<DateOnly>(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5)));
        }

        return counts;
    }
}

/// <summary>The aggregates of the in-memory development mode.</summary>
internal sealed class InMemoryAggregateStore : IAggregateStore
{
    private readonly Dictionary<(DateOnly, string, string), AggregateCount> _counts = [];

    public Task AddAsync(IReadOnlyCollection<AggregateCount> increments)
    {
        lock (_counts)
        {
            foreach (var increment in increments)
            {
                var key = (increment.Day, increment.Metric, increment.Bucket);
                _counts[key] = _counts.TryGetValue(key, out var held)
                    ? held with { Clusters = held.Clusters + increment.Clusters, Apps = held.Apps + increment.Apps, Jobs = held.Jobs + increment.Jobs }
                    : increment;
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AggregateCount>> ReadAsync(DateOnly firstDay, DateOnly lastDay)
    {
        lock (_counts)
        {
            return Task.FromResult<IReadOnlyList<AggregateCount>>([.. _counts.Values.Where(count => count.Day >= firstDay && count.Day <= lastDay)]);
        }
    }
}
