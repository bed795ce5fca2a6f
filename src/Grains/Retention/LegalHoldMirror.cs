using System.Collections.Concurrent;
using Npgsql;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Regions;

namespace PrimeDirective.Grains.Retention;

/// <summary>
/// The legal holds of a region's subjects as rows (<c>legal_hold</c>, V019), so that a set-based retention wave can
/// leave every held subject alone. The grain stays the owner of its hold: it writes the row before the state write that
/// places a hold and deletes it after the state write that lifts or replaces it, so the rows may say "held" a moment
/// longer than the state, never "not held" while the state is held.
/// </summary>
public interface ILegalHoldMirror
{
    /// <summary>Records <paramref name="hold"/> on <paramref name="subjectKey"/> under the placement's own <paramref name="holdId"/> (idempotent).</summary>
    Task HoldAsync(string region, string subjectKey, string subjectKind, string holdId, LegalHold hold);

    /// <summary>Deletes the row of the placement <paramref name="holdId"/> (<c>null</c>: a hold placed before the mirror) and any backfilled row.</summary>
    Task ReleaseAsync(string region, string subjectKey, string? holdId);
}

/// <summary>The rows a legal hold leaves in the mirror.</summary>
public static class LegalHoldRows
{
    /// <summary>The hold id of a row copied from a hold placed before the mirror existed (such a hold has no id of its own).</summary>
    public const string Backfill = "backfill";

    /// <summary>A new placement's id.</summary>
    public static string NewId() => Guid.NewGuid().ToString("N");
}

/// <summary>The mirror in each region's PostgreSQL database.</summary>
internal sealed class PostgresLegalHoldMirror(RegionDatabases databases) : ILegalHoldMirror
{
    public async Task HoldAsync(string region, string subjectKey, string subjectKind, string holdId, LegalHold hold)
    {
        ArgumentNullException.ThrowIfNull(hold);
        await using var connection = new NpgsqlConnection(databases.For(region));
        await connection.OpenAsync();
        await InsertAsync(connection, subjectKey, subjectKind, holdId, hold);
    }

    public async Task ReleaseAsync(string region, string subjectKey, string? holdId)
    {
        await using var connection = new NpgsqlConnection(databases.For(region));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "delete from legal_hold where subject_key = @subject and hold_id in (@hold, @backfill)", connection);
        command.Parameters.AddWithValue("subject", subjectKey);
        command.Parameters.AddWithValue("hold", holdId ?? LegalHoldRows.Backfill);
        command.Parameters.AddWithValue("backfill", LegalHoldRows.Backfill);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Inserts one row on an open connection; a row already there is left as it is.</summary>
    public static async Task InsertAsync(NpgsqlConnection connection, string subjectKey, string subjectKind, string holdId, LegalHold hold)
    {
        await using var command = new NpgsqlCommand(
            """
            insert into legal_hold (subject_key, hold_id, subject_kind, placed_at, ends_at)
            values (@subject, @hold, @kind, @placed, @ends)
            on conflict (subject_key, hold_id) do nothing
            """,
            connection);
        command.Parameters.AddWithValue("subject", subjectKey);
        command.Parameters.AddWithValue("hold", holdId);
        command.Parameters.AddWithValue("kind", subjectKind);
        command.Parameters.AddWithValue("placed", hold.PlacedAt.UtcDateTime);
        command.Parameters.Add(new NpgsqlParameter("ends", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)hold.EndsAt?.UtcDateTime ?? DBNull.Value });
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>
/// The mirror of the in-memory development mode, which runs no retention waves (its per-subject reminders are its only
/// destroyer, and nothing it holds outlives the process): kept so that the grains behave the same in both modes.
/// </summary>
internal sealed class InMemoryLegalHoldMirror : ILegalHoldMirror
{
    private readonly ConcurrentDictionary<(string Subject, string Hold), DateTimeOffset?> _rows = new();

    /// <summary>The holds recorded for <paramref name="subjectKey"/>: their ends (<c>null</c>: until lifted).</summary>
    public IReadOnlyList<DateTimeOffset?> HoldsOf(string subjectKey) =>
        [.. _rows.Where(row => row.Key.Subject == subjectKey).Select(row => row.Value)];

    public Task HoldAsync(string region, string subjectKey, string subjectKind, string holdId, LegalHold hold)
    {
        ArgumentNullException.ThrowIfNull(hold);
        _rows.TryAdd((subjectKey, holdId), hold.EndsAt);
        return Task.CompletedTask;
    }

    public Task ReleaseAsync(string region, string subjectKey, string? holdId)
    {
        _rows.TryRemove((subjectKey, holdId ?? LegalHoldRows.Backfill), out _);
        _rows.TryRemove((subjectKey, LegalHoldRows.Backfill), out _);
        return Task.CompletedTask;
    }
}
