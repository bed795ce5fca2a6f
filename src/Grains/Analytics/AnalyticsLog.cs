using Npgsql;
using PrimeDirective.Grains.Interfaces.Analytics;

namespace PrimeDirective.Grains.Analytics;

/// <summary>Where analytics events live until they expire.</summary>
public interface IAnalyticsLog
{
    /// <summary>Stores one event durably.</summary>
    Task AppendAsync(AnalyticsEvent analyticsEvent, DateTimeOffset collectedAt, DateTimeOffset expiresAt);

    /// <summary>Destroys every event expired at <paramref name="now"/>; returns how many.</summary>
    Task<int> DeleteExpiredAsync(DateTimeOffset now);

    /// <summary>How many events are expired at <paramref name="now"/> and not destroyed yet, and when the oldest of them expired.</summary>
    Task<(long Count, DateTimeOffset? OldestExpiry)> CountExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default);
}

/// <summary>Events in the cluster database's <c>analytics_event</c> (V008): they name nobody, so no region owns them.</summary>
internal sealed class PostgresAnalyticsLog(string connectionString) : IAnalyticsLog
{
    public async Task AppendAsync(AnalyticsEvent analyticsEvent, DateTimeOffset collectedAt, DateTimeOffset expiresAt)
    {
        ArgumentNullException.ThrowIfNull(analyticsEvent);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "insert into analytics_event (event_id, page, campaign, conversion, collected_at, expires_at) values (@id, @page, @campaign, @conversion, @at, @expires)",
            connection);
        command.Parameters.AddWithValue("id", Guid.NewGuid());
        command.Parameters.AddWithValue("page", analyticsEvent.Page);
        command.Parameters.AddWithValue("campaign", (object?)analyticsEvent.Campaign ?? DBNull.Value);
        command.Parameters.AddWithValue("conversion", (object?)analyticsEvent.Conversion ?? DBNull.Value);
        command.Parameters.AddWithValue("at", collectedAt.UtcDateTime);
        command.Parameters.AddWithValue("expires", expiresAt.UtcDateTime);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<int> DeleteExpiredAsync(DateTimeOffset now)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("delete from analytics_event where expires_at <= @now", connection);
        command.Parameters.AddWithValue("now", now.UtcDateTime);
        return await command.ExecuteNonQueryAsync();
    }

    public async Task<(long Count, DateTimeOffset? OldestExpiry)> CountExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);

        // The rows the sweep at this time would destroy, counted by the expiry index.
        await using var command = new NpgsqlCommand("select count(*), min(expires_at) from analytics_event where expires_at <= @now", connection);
        command.Parameters.AddWithValue("now", now.UtcDateTime);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.IsDBNull(1) ? null : new DateTimeOffset(reader.GetDateTime(1).ToUniversalTime(), TimeSpan.Zero));
    }
}

/// <summary>Events of the in-memory development mode: gone with the process.</summary>
internal sealed class InMemoryAnalyticsLog : IAnalyticsLog
{
    private readonly List<(AnalyticsEvent Event, DateTimeOffset ExpiresAt)> _events = [];

    public Task AppendAsync(AnalyticsEvent analyticsEvent, DateTimeOffset collectedAt, DateTimeOffset expiresAt)
    {
        lock (_events)
        {
            _events.Add((analyticsEvent, expiresAt));
        }

        return Task.CompletedTask;
    }

    public Task<int> DeleteExpiredAsync(DateTimeOffset now)
    {
        lock (_events)
        {
            return Task.FromResult(_events.RemoveAll(held => held.ExpiresAt <= now));
        }
    }

    public Task<(long Count, DateTimeOffset? OldestExpiry)> CountExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        lock (_events)
        {
            var expired = _events.Where(held => held.ExpiresAt <= now).Select(held => held.ExpiresAt).ToList();
            return Task.FromResult<(long, DateTimeOffset?)>((expired.Count, expired.Count == 0 ? null : expired.Min()));
        }
    }
}
