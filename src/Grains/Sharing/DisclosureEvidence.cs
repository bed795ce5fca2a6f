using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using Npgsql;
using PrimeDirective.Grains.Regions;

namespace PrimeDirective.Grains.Sharing;

/// <summary>
/// One row of a region's evidence of disclosure ledgers: after event <paramref name="Seq"/> of the subject keyed
/// <paramref name="SubjectKey"/> (pseudonymous), its ledger held <paramref name="Entries"/> entries ending in
/// <paramref name="Head"/>. Sealed with a ledger key, so a row written by anyone else does not verify.
/// </summary>
/// <param name="SubjectKey">The subject's grain key.</param>
/// <param name="Seq">1, 2, ... per subject, across its lives (a cluster erased and seen again continues the count).</param>
/// <param name="Entries">The ledger's entry count after the event.</param>
/// <param name="Head">The ledger's head after the event (64 zeros for none).</param>
/// <param name="Event"><c>appended</c>, <c>destroyed-by-erasure</c>, <c>destroyed-by-expiry</c>, or <c>migrated</c> (written by V010 for ledgers that existed before, unsealed).</param>
/// <param name="KeyVersion">The ledger key that sealed the row; 0 for a migrated row.</param>
/// <param name="Seal">HMAC-SHA256 of the other fields; empty for a migrated row.</param>
/// <param name="At">When (microseconds, as PostgreSQL keeps them).</param>
public sealed record LedgerEvidence(string SubjectKey, int Seq, int Entries, string Head, string Event, int KeyVersion, string Seal, DateTimeOffset At)
{
    /// <summary>The event of a ledger entry appended.</summary>
    public const string Appended = "appended";

    /// <summary>The event the migration recorded for a ledger that existed before evidence was kept.</summary>
    public const string Migrated = "migrated";

    /// <summary>The event of a ledger destroyed with its subject, for <paramref name="why"/> (<c>request</c> or <c>expiry</c>).</summary>
    public static string DestroyedBy(string why) => why == "request" ? "destroyed-by-erasure" : $"destroyed-by-{why}";

    /// <summary>Whether this row records the ledger's destruction.</summary>
    public bool IsDestruction => Event.StartsWith("destroyed-by-", StringComparison.Ordinal);

    /// <summary>What the seal covers, each field length-prefixed.</summary>
    public string SealedText() => string.Join(
        "\n",
        new[] { "evidence", SubjectKey, Seq.ToString(CultureInfo.InvariantCulture), Entries.ToString(CultureInfo.InvariantCulture), Head, Event, KeyVersion.ToString(CultureInfo.InvariantCulture), At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) }
            .Select(field => $"{field.Length.ToString(CultureInfo.InvariantCulture)}:{field}"));
}

/// <summary>Each region's evidence of disclosure ledgers: rows appended, never changed (the database refuses updates and deletes).</summary>
public interface IDisclosureEvidence
{
    /// <summary>Appends <paramref name="row"/>; a row already recorded under its subject and sequence is left as it is.</summary>
    Task RecordAsync(string region, LedgerEvidence row);

    /// <summary>Every row of the subject, by sequence.</summary>
    Task<ImmutableArray<LedgerEvidence>> ReadAsync(string region, string subjectKey);

    /// <summary>The subject's last sequence number; 0 if it has none.</summary>
    Task<int> LastSeqAsync(string region, string subjectKey);
}

/// <summary>The evidence in each region's PostgreSQL database (table <c>disclosure_evidence</c>, migration V010).</summary>
internal sealed class PostgresDisclosureEvidence(RegionDatabases databases) : IDisclosureEvidence
{
    public async Task RecordAsync(string region, LedgerEvidence row)
    {
        ArgumentNullException.ThrowIfNull(row);
        await using var connection = new NpgsqlConnection(databases.For(region));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            insert into disclosure_evidence (subject_key, seq, entries, head, event, key_version, seal, recorded_at)
            values (@subject, @seq, @entries, @head, @event, @version, @seal, @at)
            on conflict (subject_key, seq) do nothing
            """,
            connection);
        command.Parameters.AddWithValue("subject", row.SubjectKey);
        command.Parameters.AddWithValue("seq", row.Seq);
        command.Parameters.AddWithValue("entries", row.Entries);
        command.Parameters.AddWithValue("head", row.Head);
        command.Parameters.AddWithValue("event", row.Event);
        command.Parameters.AddWithValue("version", row.KeyVersion);
        command.Parameters.AddWithValue("seal", row.Seal);
        command.Parameters.AddWithValue("at", row.At.UtcDateTime);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<ImmutableArray<LedgerEvidence>> ReadAsync(string region, string subjectKey)
    {
        await using var connection = new NpgsqlConnection(databases.For(region));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select seq, entries, head, event, key_version, seal, recorded_at from disclosure_evidence where subject_key = @subject order by seq",
            connection);
        command.Parameters.AddWithValue("subject", subjectKey);
        var rows = ImmutableArray.CreateBuilder<LedgerEvidence>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new LedgerEvidence(
                subjectKey, reader.GetInt32(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4), reader.GetString(5),
                new DateTimeOffset(reader.GetDateTime(6), TimeSpan.Zero)));
        }

        return rows.ToImmutable();
    }

    public async Task<int> LastSeqAsync(string region, string subjectKey)
    {
        await using var connection = new NpgsqlConnection(databases.For(region));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select coalesce(max(seq), 0) from disclosure_evidence where subject_key = @subject", connection);
        command.Parameters.AddWithValue("subject", subjectKey);
        return (int)(await command.ExecuteScalarAsync())!;
    }
}

/// <summary>The evidence of the in-memory development mode: gone with the process, like the ledgers it vouches for.</summary>
internal sealed class InMemoryDisclosureEvidence : IDisclosureEvidence
{
    private readonly ConcurrentDictionary<(string Region, string Subject, int Seq), LedgerEvidence> _rows = new();

    public Task RecordAsync(string region, LedgerEvidence row)
    {
        ArgumentNullException.ThrowIfNull(row);
        _rows.TryAdd((region, row.SubjectKey, row.Seq), row);
        return Task.CompletedTask;
    }

    public Task<ImmutableArray<LedgerEvidence>> ReadAsync(string region, string subjectKey) => Task.FromResult(
        _rows.Where(pair => pair.Key.Region == region && pair.Key.Subject == subjectKey).Select(pair => pair.Value).OrderBy(row => row.Seq).ToImmutableArray());

    public async Task<int> LastSeqAsync(string region, string subjectKey) =>
        (await ReadAsync(region, subjectKey)).Select(row => row.Seq).DefaultIfEmpty(0).Max();
}
