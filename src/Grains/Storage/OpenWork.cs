using System.Collections.Concurrent;
using Npgsql;
using PrimeDirective.Grains.Regions;

namespace PrimeDirective.Grains.Storage;

/// <summary>How many open items of one kind a region has in one state, how many are past their due time, and since when the oldest is open.</summary>
/// <param name="State">The state (an enumeration word, never an id).</param>
/// <param name="Open">Items open in that state.</param>
/// <param name="PastDue">Of those, items whose due time has passed.</param>
/// <param name="OldestSince">When the oldest of them opened (<c>null</c> when none is).</param>
public sealed record OpenWorkCount(string State, long Open, long PastDue, DateTimeOffset? OldestSince);

/// <summary>
/// A queryable mirror of work a grain keeps open in its sealed state (table <c>open_work</c>, V030), by pseudonymous grain
/// id only: what the database-backed gauges count without opening any state. The grain writes it after each state write
/// that opens or moves the work and on each reminder tick (so a crash between the two is mended by the next tick).
/// </summary>
public interface IOpenWork
{
    /// <summary>Records <paramref name="owner"/>'s work of <paramref name="kind"/> as open in <paramref name="state"/>; the first <paramref name="since"/> is kept.</summary>
    Task OpenAsync(string region, string kind, GrainId owner, string state, DateTimeOffset since, DateTimeOffset? dueAt);

    /// <summary>Forgets <paramref name="owner"/>'s work of <paramref name="kind"/>, if any.</summary>
    Task CloseAsync(string region, string kind, GrainId owner);

    /// <summary>The region's open work of <paramref name="kind"/> at <paramref name="now"/>, one entry per state that has any.</summary>
    Task<IReadOnlyList<OpenWorkCount>> CountAsync(string region, string kind, DateTimeOffset now, CancellationToken cancellationToken = default);
}

/// <summary>Reading open work for the gauges.</summary>
public static class OpenWorkReading
{
    /// <summary>Every served region's open work of <paramref name="kind"/> (a region with none maps to an empty list, so it is published at zero).</summary>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<OpenWorkCount>>> CountByRegionAsync(
        this IOpenWork work, RegionDatabases databases, string kind, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(databases);
        var counts = new Dictionary<string, IReadOnlyList<OpenWorkCount>>(StringComparer.Ordinal);
        foreach (var region in databases.ByRegion.Keys)
        {
            counts[region] = await work.CountAsync(region, kind, now, cancellationToken);
        }

        return counts;
    }
}

/// <summary>One grain's open work of one kind, as the component that keeps it sees it.</summary>
public sealed class OpenWorkSlot(IOpenWork work, string region, string kind, GrainId owner)
{
    /// <summary>Open (or moved to <paramref name="state"/>) since <paramref name="since"/>, due at <paramref name="dueAt"/>.</summary>
    public Task OpenAsync(string state, DateTimeOffset since, DateTimeOffset? dueAt = null) => work.OpenAsync(region, kind, owner, state, since, dueAt);

    /// <summary>Closed: nothing of it is counted any more.</summary>
    public Task CloseAsync() => work.CloseAsync(region, kind, owner);
}

/// <summary>Open work in each region's database.</summary>
internal sealed class PostgresOpenWork(RegionDatabases databases) : IOpenWork
{
    public async Task OpenAsync(string region, string kind, GrainId owner, string state, DateTimeOffset since, DateTimeOffset? dueAt)
    {
        await using var connection = new NpgsqlConnection(databases.For(region));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            insert into open_work (region, kind, owner, state, since, due_at) values (@region, @kind, @owner, @state, @since, @due)
            on conflict (region, kind, owner) do update set state = excluded.state, due_at = excluded.due_at
            """,
            connection);
        command.Parameters.AddWithValue("region", region);
        command.Parameters.AddWithValue("kind", kind);
        command.Parameters.AddWithValue("owner", owner.ToString());
        command.Parameters.AddWithValue("state", state);
        command.Parameters.AddWithValue("since", since.UtcDateTime);
        command.Parameters.AddWithValue("due", dueAt is { } due ? due.UtcDateTime : DBNull.Value);
        await command.ExecuteNonQueryAsync();
    }

    public async Task CloseAsync(string region, string kind, GrainId owner)
    {
        await using var connection = new NpgsqlConnection(databases.For(region));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("delete from open_work where region = @region and kind = @kind and owner = @owner", connection);
        command.Parameters.AddWithValue("region", region);
        command.Parameters.AddWithValue("kind", kind);
        command.Parameters.AddWithValue("owner", owner.ToString());
        await command.ExecuteNonQueryAsync();
    }

    public async Task<IReadOnlyList<OpenWorkCount>> CountAsync(string region, string kind, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(databases.For(region));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            select state, count(*), count(*) filter (where due_at <= @now), min(since) from open_work
            where region = @region and kind = @kind group by state order by state
            """,
            connection);
        command.Parameters.AddWithValue("region", region);
        command.Parameters.AddWithValue("kind", kind);
        command.Parameters.AddWithValue("now", now.UtcDateTime);
        var counts = new List<OpenWorkCount>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts.Add(new OpenWorkCount(
                reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), new DateTimeOffset(reader.GetDateTime(3).ToUniversalTime(), TimeSpan.Zero)));
        }

        return counts;
    }
}

/// <summary>Open work in memory (the in-memory mode, which publishes no database gauges, and the fast tests).</summary>
public sealed class InMemoryOpenWork : IOpenWork
{
    private readonly ConcurrentDictionary<(string Region, string Kind, GrainId Owner), (string State, DateTimeOffset Since, DateTimeOffset? DueAt)> _open = new();

    public Task OpenAsync(string region, string kind, GrainId owner, string state, DateTimeOffset since, DateTimeOffset? dueAt)
    {
        _open.AddOrUpdate((region, kind, owner), (state, since, dueAt), (_, known) => (state, known.Since, dueAt));
        return Task.CompletedTask;
    }

    public Task CloseAsync(string region, string kind, GrainId owner)
    {
        _open.TryRemove((region, kind, owner), out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<OpenWorkCount>> CountAsync(string region, string kind, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<OpenWorkCount>>([.. _open
            .Where(item => item.Key.Region == region && item.Key.Kind == kind)
            .GroupBy(item => item.Value.State, StringComparer.Ordinal)
            .OrderBy(group => group.Key, StringComparer.Ordinal)
            .Select(group => new OpenWorkCount(
                group.Key, group.Count(), group.Count(item => item.Value.DueAt <= now), group.Min(item => item.Value.Since)))]);
}

/// <summary>
/// A gauge source over one kind of <c>open_work</c>: each refresh counts it per region (one query per region database),
/// and the gauge reads the counts kept from the last refresh, so a scrape never touches the database.
/// </summary>
public abstract class OpenWorkGaugeSource(IOpenWork work, RegionDatabases databases, string kind) : Hosting.IGaugeSource
{
    private volatile IReadOnlyDictionary<string, IReadOnlyList<OpenWorkCount>> _last = new Dictionary<string, IReadOnlyList<OpenWorkCount>>();

    /// <summary>The counts per region as of the last refresh.</summary>
    protected IReadOnlyDictionary<string, IReadOnlyList<OpenWorkCount>> Last => _last;

    /// <inheritdoc/>
    public async Task RefreshAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        _last = await work.CountByRegionAsync(databases, kind, now, cancellationToken);
}
