using System.Collections.Immutable;
using Npgsql;
using PrimeDirective.Grains.Regions;

namespace PrimeDirective.Grains.Notices;

/// <summary>The notice failure log in each region's database (table <c>notice_failure</c>, V011).</summary>
internal sealed class PostgresNoticeFailureLog(RegionDatabases databases) : INoticeFailureLog
{
    public async Task RecordBatchAsync(string region, string campaignId, IReadOnlyCollection<NoticeFailure> failed, IReadOnlyCollection<string> reached)
    {
        await using var connection = await OpenAsync(region);
        await using var batch = new NpgsqlBatch(connection);
        var forget = new NpgsqlBatchCommand("delete from notice_failure where region = @region and campaign_id = @campaign and failure = 'delivery' and subject_key = any(@keys)");
        forget.Parameters.AddWithValue("region", region);
        forget.Parameters.AddWithValue("campaign", campaignId);
        forget.Parameters.AddWithValue("keys", reached.ToArray());
        batch.BatchCommands.Add(forget);
        var list = new NpgsqlBatchCommand(
            """
            insert into notice_failure (region, campaign_id, failure, subject_key, kind, reason, first_failed_at)
            select @region, @campaign, 'delivery', key, kind, reason, at from unnest(@keys, @kinds, @reasons, @ats) as failed(key, kind, reason, at)
            on conflict do nothing
            """);
        list.Parameters.AddWithValue("region", region);
        list.Parameters.AddWithValue("campaign", campaignId);
        list.Parameters.AddWithValue("keys", failed.Select(failure => failure.SubjectKey).ToArray());
        list.Parameters.AddWithValue("kinds", failed.Select(failure => failure.Kind).ToArray());
        list.Parameters.AddWithValue("reasons", failed.Select(failure => failure.Reason).ToArray());
        list.Parameters.AddWithValue("ats", failed.Select(failure => failure.FirstFailedAt.UtcDateTime).ToArray());
        batch.BatchCommands.Add(list);
        await using var transaction = await connection.BeginTransactionAsync();
        batch.Transaction = transaction;
        await batch.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    public async Task<ImmutableArray<NoticeFailure>> RetryingAsync(string region, string campaignId, string? after, int limit)
    {
        await using var connection = await OpenAsync(region);
        await using var command = new NpgsqlCommand(
            """
            select subject_key, kind, reason, first_failed_at from notice_failure
            where region = @region and campaign_id = @campaign and failure = 'delivery' and outcome is null and gave_up_at is null
              and (@after::text is null or subject_key > @after)
            order by subject_key
            limit @limit
            """,
            connection);
        command.Parameters.AddWithValue("region", region);
        command.Parameters.AddWithValue("campaign", campaignId);
        command.Parameters.AddWithValue("after", (object?)after ?? DBNull.Value);
        command.Parameters.AddWithValue("limit", limit);
        var page = ImmutableArray.CreateBuilder<NoticeFailure>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            page.Add(new NoticeFailure(reader.GetString(0), reader.GetString(1), reader.GetString(2), new DateTimeOffset(reader.GetDateTime(3), TimeSpan.Zero)));
        }

        return page.ToImmutable();
    }

    public Task SettleAsync(string region, string campaignId, string subjectKey, string outcome) =>
        ChangeRetriedAsync(region, campaignId, subjectKey, "outcome = @outcome", parameters => parameters.AddWithValue("outcome", outcome));

    public Task FailAgainAsync(string region, string campaignId, string subjectKey, string reason, DateTimeOffset? giveUpAt) =>
        ChangeRetriedAsync(region, campaignId, subjectKey, "reason = @reason, gave_up_at = @gave_up", parameters =>
        {
            parameters.AddWithValue("reason", reason);
            parameters.Add(new NpgsqlParameter("gave_up", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)giveUpAt?.UtcDateTime ?? DBNull.Value });
        });

    public async Task RecordEmailFailureAsync(string region, string campaignId, string subjectKey, string reason, DateTimeOffset at)
    {
        await using var connection = await OpenAsync(region);
        await using var command = new NpgsqlCommand(
            """
            insert into notice_failure (region, campaign_id, failure, subject_key, kind, reason, first_failed_at, gave_up_at)
            values (@region, @campaign, 'email', @key, 'user', @reason, @at, @at)
            on conflict do nothing
            """,
            connection);
        command.Parameters.AddWithValue("region", region);
        command.Parameters.AddWithValue("campaign", campaignId);
        command.Parameters.AddWithValue("key", subjectKey);
        command.Parameters.AddWithValue("reason", reason);
        command.Parameters.AddWithValue("at", at.UtcDateTime);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<NoticeFailureSummary> SummarizeAsync(string region, string campaignId, int keyLimit)
    {
        await using var connection = await OpenAsync(region);
        long retrying = 0, emails = 0;
        var gaveUp = ImmutableDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        var settled = ImmutableDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        await using (var counts = new NpgsqlCommand(
            """
            select failure, outcome, gave_up_at is not null, case when failure = 'delivery' and outcome is null and gave_up_at is not null then reason end, count(*)
            from notice_failure where region = @region and campaign_id = @campaign
            group by 1, 2, 3, 4
            """,
            connection))
        {
            counts.Parameters.AddWithValue("region", region);
            counts.Parameters.AddWithValue("campaign", campaignId);
            await using var reader = await counts.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var count = reader.GetInt64(4);
                if (reader.GetString(0) == NoticeFailureLog.Email)
                {
                    emails += count;
                }
                else if (!reader.IsDBNull(1))
                {
                    settled[reader.GetString(1)] = settled.GetValueOrDefault(reader.GetString(1)) + count;
                }
                else if (reader.GetBoolean(2))
                {
                    gaveUp[reader.GetString(3)] = gaveUp.GetValueOrDefault(reader.GetString(3)) + count;
                }
                else
                {
                    retrying += count;
                }
            }
        }

        var keys = ImmutableArray.CreateBuilder<string>();
        await using (var listed = new NpgsqlCommand(
            """
            select subject_key from notice_failure
            where region = @region and campaign_id = @campaign and failure = 'delivery' and outcome is null and gave_up_at is not null
            order by subject_key
            limit @limit
            """,
            connection))
        {
            listed.Parameters.AddWithValue("region", region);
            listed.Parameters.AddWithValue("campaign", campaignId);
            listed.Parameters.AddWithValue("limit", keyLimit);
            await using var reader = await listed.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                keys.Add(reader.GetString(0));
            }
        }

        return new NoticeFailureSummary(retrying, gaveUp.ToImmutable(), keys.ToImmutable(), settled.ToImmutable(), emails);
    }

    /// <summary>Counts one more attempt of a subject still retried and sets <paramref name="set"/> (a constant SQL list of assignments).</summary>
    private async Task ChangeRetriedAsync(string region, string campaignId, string subjectKey, string set, Action<NpgsqlParameterCollection> parameters)
    {
        await using var connection = await OpenAsync(region);
        await using var command = new NpgsqlCommand(
            $"""
            update notice_failure set {set}, attempts = attempts + 1
            where region = @region and campaign_id = @campaign and failure = 'delivery' and subject_key = @key and outcome is null and gave_up_at is null
            """,
            connection);
        command.Parameters.AddWithValue("region", region);
        command.Parameters.AddWithValue("campaign", campaignId);
        command.Parameters.AddWithValue("key", subjectKey);
        parameters(command.Parameters);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<NpgsqlConnection> OpenAsync(string region)
    {
        var connection = new NpgsqlConnection(databases.For(region));
        await connection.OpenAsync();
        return connection;
    }
}
