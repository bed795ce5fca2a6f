using System.Collections.Immutable;
using Npgsql;
using NpgsqlTypes;
using PrimeDirective.Grains.Regions;

namespace PrimeDirective.Grains.Notices;

/// <summary>The person notice rows in each region's database (table <c>person_notice</c>, V028).</summary>
internal sealed class PostgresPersonNoticeLog(RegionDatabases databases) : IPersonNoticeLog
{
    public async Task<ImmutableArray<StoredNotice>> AppendAsync(string region, IReadOnlyCollection<PersonNoticeRow> rows, DateTimeOffset emailDueAt)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Any(row => row.Email is null))
        {
            throw new ArgumentException("Every appended notice carries its email.", nameof(rows));
        }

        if (rows.Count == 0)
        {
            return [];
        }

        if (rows.DistinctBy(row => (row.Person, row.CampaignId)).Count() != rows.Count)
        {
            throw new ArgumentException("One row per person and campaign.", nameof(rows));
        }

        await using var connection = await OpenAsync(region);
        await using var command = new NpgsqlCommand(
            """
            with stored as (
              insert into person_notice (region, person, campaign_id, kind, at, via, body, email, email_state, email_due_at)
              select @region, person, campaign, kind, at, via, body, email, 'pending', @due
              from unnest(@persons, @campaigns, @kinds, @ats, @vias, @bodies, @emails) as n(person, campaign, kind, at, via, body, email)
              on conflict (region, person, campaign_id) do nothing
              returning person, via)
            select person, via, true from stored
            union all
            select p.person, p.via, false from person_notice p
            join unnest(@persons, @campaigns) as n(person, campaign) on p.person = n.person and p.campaign_id = n.campaign
            where p.region = @region
            """,
            connection);
        command.Parameters.AddWithValue("region", region);
        command.Parameters.AddWithValue("due", emailDueAt.UtcDateTime);
        command.Parameters.AddWithValue("persons", rows.Select(row => row.Person).ToArray());
        command.Parameters.AddWithValue("campaigns", rows.Select(row => row.CampaignId).ToArray());
        command.Parameters.AddWithValue("kinds", rows.Select(row => row.Kind).ToArray());
        command.Parameters.AddWithValue("ats", rows.Select(row => row.At.UtcDateTime).ToArray());
        command.Parameters.AddWithValue("vias", rows.Select(row => row.Via).ToArray());
        command.Parameters.Add(new NpgsqlParameter("bodies", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = rows.Select(row => row.Body).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("emails", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = rows.Select(row => row.Email!).ToArray() });
        // The second half reads the statement's snapshot: the rows stored before it, never the ones it inserts.
        var stored = ImmutableArray.CreateBuilder<StoredNotice>(rows.Count);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            stored.Add(new StoredNotice(reader.GetString(0), reader.GetString(1), reader.GetBoolean(2)));
        }

        return stored.ToImmutable();
    }

    public async Task<ImmutableArray<(PersonNoticeRow Row, string EmailState)>> ForPersonAsync(string region, string person)
    {
        await using var connection = await OpenAsync(region);
        await using var command = new NpgsqlCommand(
            """
            select campaign_id, kind, at, via, body, email, email_state from person_notice
            where region = @region and person = @person order by at, seq
            """,
            connection);
        command.Parameters.AddWithValue("region", region);
        command.Parameters.AddWithValue("person", person);
        var notices = ImmutableArray.CreateBuilder<(PersonNoticeRow, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var row = new PersonNoticeRow(
                person, reader.GetString(0), reader.GetString(1), new DateTimeOffset(reader.GetDateTime(2), TimeSpan.Zero), reader.GetString(3),
                reader.GetFieldValue<byte[]>(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<byte[]>(5));
            notices.Add((row, reader.GetString(6)));
        }

        return notices.ToImmutable();
    }

    public async Task<ImmutableArray<DueNoticeEmail>> ClaimDueEmailsAsync(string region, DateTimeOffset now, DateTimeOffset nextDue, int limit)
    {
        await using var connection = await OpenAsync(region);
        await using var command = new NpgsqlCommand(
            """
            update person_notice set email_due_at = @next
            where (region, person, campaign_id) in (
              select region, person, campaign_id from person_notice
              where region = @region and email_state = 'pending' and email_due_at <= @now
              order by email_due_at limit @limit for update skip locked)
            returning person, campaign_id, email, at, via
            """,
            connection);
        command.Parameters.AddWithValue("region", region);
        command.Parameters.AddWithValue("now", now.UtcDateTime);
        command.Parameters.AddWithValue("next", nextDue.UtcDateTime);
        command.Parameters.AddWithValue("limit", limit);
        var due = ImmutableArray.CreateBuilder<DueNoticeEmail>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            due.Add(new DueNoticeEmail(
                reader.GetString(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2), new DateTimeOffset(reader.GetDateTime(3), TimeSpan.Zero), reader.GetString(4)));
        }

        return due.ToImmutable();
    }

    public async Task<int> SettleEmailsAsync(string region, IReadOnlyCollection<NoticeEmailFate> fates)
    {
        ArgumentNullException.ThrowIfNull(fates);
        if (fates.Count == 0)
        {
            return 0;
        }

        await using var connection = await OpenAsync(region);
        await using var command = new NpgsqlCommand(
            """
            update person_notice as n set email_state = f.state, email = null, email_due_at = null
            from unnest(@persons, @campaigns, @states) as f(person, campaign, state)
            where n.region = @region and n.person = f.person and n.campaign_id = f.campaign and n.email_state = 'pending'
            """,
            connection);
        command.Parameters.AddWithValue("region", region);
        command.Parameters.AddWithValue("persons", fates.Select(fate => fate.Person).ToArray());
        command.Parameters.AddWithValue("campaigns", fates.Select(fate => fate.CampaignId).ToArray());
        command.Parameters.AddWithValue("states", fates.Select(fate => PersonNoticeLog.State(fate.Fate)).ToArray());
        return await command.ExecuteNonQueryAsync();
    }

    public async Task<int> DeletePersonAsync(string region, string person)
    {
        await using var connection = await OpenAsync(region);
        await using var command = new NpgsqlCommand("delete from person_notice where region = @region and person = @person", connection);
        command.Parameters.AddWithValue("region", region);
        command.Parameters.AddWithValue("person", person);
        return await command.ExecuteNonQueryAsync();
    }

    private async Task<NpgsqlConnection> OpenAsync(string region)
    {
        var connection = new NpgsqlConnection(databases.For(region));
        await connection.OpenAsync();
        return connection;
    }
}
