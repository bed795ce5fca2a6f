using System.Collections.Immutable;
using Npgsql;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Notices;
using PrimeDirective.Grains.Regions;

namespace PrimeDirective.Grains.Clusters;

/// <summary>What one statement of a retention wave destroyed: counts by category, the rows it touched, its proof's id.</summary>
/// <param name="Destroyed">Items destroyed, by category.</param>
/// <param name="Rows">Report rows emptied or trimmed (at most the batch size: a full batch means more may be due).</param>
/// <param name="ProofId">The ledger proof of this batch (<c>null</c>: nothing was due).</param>
public sealed record WaveBatch(ImmutableDictionary<DataCategory, int> Destroyed, int Rows, string? ProofId);

/// <summary>
/// Retention across subjects (DESIGN §2's second exception): one statement deletes the expired report rows of many
/// clusters of a region (trims a row whose other items live on, and nulls its IP address with its item), skipping every
/// subject the <c>legal_hold</c> mirror holds at that time, and writes the counts to the destruction ledger in the same
/// statement under a proof id derived from what it destroyed (region, time and the rows' keys). A batch that did not
/// commit leaves nothing behind; run again, it destroys and counts the same rows under the same id; one that committed
/// left nothing for a re-run to count.
/// </summary>
public sealed class ReportRetentionWaves(RegionDatabases databases)
{
    /// <summary>Rows per statement at most: a wave of a day's reports runs as a series of bounded transactions.</summary>
    public const int DefaultBatchRows = 5000;

    /// <summary>Has the region's mirror been backfilled from the subjects' states (V019 and <see cref="Retention.LegalHoldBackfill"/>)?</summary>
    public async Task<bool> ReadyAsync(string region)
    {
        await using var connection = new NpgsqlConnection(databases.For(region));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select exists (select 1 from legal_hold_backfill where region = @region)", connection);
        command.Parameters.AddWithValue("region", region);
        return await command.ExecuteScalarAsync() is true;
    }

    /// <summary>Runs batches until one is not full: every row of <paramref name="region"/> expired at <paramref name="now"/> and not held is destroyed.</summary>
    public async Task<ImmutableArray<WaveBatch>> RunAsync(string region, DateTimeOffset now, int batchRows = DefaultBatchRows)
    {
        var batches = ImmutableArray.CreateBuilder<WaveBatch>();
        await using var connection = new NpgsqlConnection(databases.For(region));
        await connection.OpenAsync();
        while (true)
        {
            var batch = await ExpireAsync(connection, null, region, now, batchRows);
            if (batch.Rows > 0)
            {
                batches.Add(batch);
            }

            // A full batch may have left due rows behind; a short one saw all there were (bar rows locked by a subject's
            // own deletion, which destroys and counts them itself).
            if (batch.Rows < batchRows)
            {
                return batches.ToImmutable();
            }
        }
    }

    /// <summary>One batch, in one statement (atomic by itself), on an open connection and inside <paramref name="transaction"/> if given.</summary>
    public static async Task<WaveBatch> ExpireAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string region, DateTimeOffset now, int batchRows)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand(
            $"""
            with due as (
              select report.subject_key, report.report_id, report.items from report
              where report.expires_at <= @now and starts_with(report.subject_key, @prefix)
                and not exists (
                  select 1 from legal_hold hold
                  where hold.subject_key = report.subject_key and (hold.ends_at is null or hold.ends_at > @now))
              order by report.expires_at, report.subject_key, report.report_id
              limit @rows
              for update of report skip locked),
            {PostgresReportLog.ExpireDueRows},
            proof_id as (
              select 'wave-' || md5(@region || '|' || @now_us::text || '|'
                     || string_agg(due.subject_key || '/' || due.report_id, ',' order by due.subject_key, due.report_id)) as id
              from due),
            proof as (
              insert into destruction_ledger (proof_id, category, region, day, subject_kind, why, count, destroyed_at)
              select proof_id.id, counted.category, @region, @day, @kind, 'expiry', counted.count, @now from counted, proof_id
              on conflict (proof_id, category) do nothing)
            select counted.category, counted.count, (select count(*) from due)::integer, (select id from proof_id)
            from (select 1) as one left join counted on true
            """,
            connection,
            transaction);
        command.Parameters.AddWithValue("now", now.UtcDateTime);
        command.Parameters.AddWithValue("now_us", ReportRowCodec.Microseconds(now));
        command.Parameters.AddWithValue("prefix", region + "/");
        command.Parameters.AddWithValue("rows", batchRows);
        command.Parameters.AddWithValue("all", false);
        command.Parameters.AddWithValue("region", region);
        command.Parameters.AddWithValue("day", DateOnly.FromDateTime(now.UtcDateTime));
        command.Parameters.AddWithValue("kind", SubjectKinds.Cluster);

        var destroyed = ImmutableDictionary.CreateBuilder<DataCategory, int>();
        var (rows, proofId) = (0, (string?)null);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            if (!reader.IsDBNull(0))
            {
                destroyed[WireNames.Parse<DataCategory>(reader.GetString(0))] = reader.GetInt32(1);
            }

            rows = reader.GetInt32(2);
            proofId = reader.IsDBNull(3) ? null : reader.GetString(3);
        }

        return new WaveBatch(destroyed.ToImmutable(), rows, proofId);
    }
}
