using Npgsql;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Grains.Sealing;

/// <summary>What <c>restore-fences</c> did.</summary>
/// <param name="Fences">Fences read from the log (at or after the backup's time).</param>
/// <param name="KeysDestroyed">Keys the restored key store held again, destroyed again.</param>
/// <param name="RowsDeleted">Rows of erased subjects the restored region databases held again, deleted again.</param>
/// <param name="Resealed">Held addresses re-sealed under their hold's key before their epoch key went again.</param>
public sealed record FenceRestoreResult(int Fences, int KeysDestroyed, int RowsDeleted, int Resealed);

/// <summary>
/// After a restore of a region database or the key store: every key fenced in the fence log (outside both databases)
/// since the backup's time is fenced again in its region's ledger and destroyed again in the key store, and the rows of
/// each erased subject are deleted again; an epoch's held addresses are first re-sealed under their hold's key, as the
/// sweep does, so a legal hold survives the restore. Runs with no silo up (before the service starts on restored data).
/// </summary>
public sealed class FenceRestore(IFenceLog log, IKeyRows keys, IDestructionLedger ledger, RegionDatabases databases, ReportAddressSealing addresses, TimeProvider time)
{
    /// <summary>Applies every fence logged at or after <paramref name="since"/> (every fence if <c>null</c>); safe to run again.</summary>
    public async Task<FenceRestoreResult> RunAsync(DateTimeOffset? since)
    {
        var (fences, destroyed, deleted, resealed) = (0, 0, 0, 0);
        foreach (var record in (await log.ReadAsync()).Where(record => since is null || record.FencedAt >= since))
        {
            fences++;
            var database = databases.For(record.Region);

            // The restored key store names the key's subject again; a key it does not hold is gone already.
            var key = await keys.FindAsync(record.KeyId);
            var epoch = key is null ? null : KeyEpoch.Parse(key.Subject);
            if (epoch is { } ending)
            {
                resealed += await KeepHeldAsync(database, ending, record.KeyId);
            }

            await ledger.FenceAsync(record.Region, record.ToFence());
            if (key is null)
            {
                continue;
            }

            if (await keys.DeleteAsync(key.Id))
            {
                destroyed++;
            }

            if (epoch is null && !key.Subject.StartsWith("hold|", StringComparison.Ordinal))
            {
                deleted += await DeleteErasedRowsAsync(database, key.Subject, key.Id, record.FencedAt);
            }
        }

        return new FenceRestoreResult(fences, destroyed, deleted, resealed);
    }

    /// <summary>The sweep's legal-hold step, from the restored database's <c>legal_hold</c> rows (no grain runs here).</summary>
    private async Task<int> KeepHeldAsync(string database, KeyEpoch epoch, Guid epochKeyId)
    {
        if (epoch.Category != ReportAddressSealing.Category)
        {
            return 0;
        }

        var resealed = 0;
        var dayEnd = new DateTimeOffset(epoch.Day.AddDays(1), TimeOnly.MinValue, TimeSpan.Zero);
        foreach (var subject in await ReportAddressSealing.SubjectsUnderAsync(database, epochKeyId, dayEnd))
        {
            if (await HoldPlacedAtAsync(database, subject) is { } placedAt)
            {
                resealed += await addresses.ResealUnderHoldAsync(database, subject, epochKeyId, dayEnd, ReportAddressSealing.HoldKeyName(subject, placedAt));
            }
        }

        return resealed;
    }

    private async Task<DateTimeOffset?> HoldPlacedAtAsync(string database, string subject)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select min(placed_at) from legal_hold where subject_key = @subject and (ends_at is null or ends_at > @now)", connection);
        command.Parameters.AddWithValue("subject", subject);
        command.Parameters.AddWithValue("now", time.GetUtcNow().UtcDateTime);
        return await command.ExecuteScalarAsync() is DateTime placedAt ? new DateTimeOffset(placedAt, TimeSpan.Zero) : null;
    }

    /// <summary>
    /// The erasure's row deletions, again: the subject's grain state sealed under the destroyed key (not a later
    /// incarnation's), its reports collected before the fence, and its registry entry once no state is left.
    /// </summary>
    private static async Task<int> DeleteErasedRowsAsync(string database, string subject, Guid keyId, DateTimeOffset fencedAt)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand(
            """
            with state as (
              delete from grain_state
              where grain_id_extension_string = @subject and payload_binary is not null
                and substring(decode(convert_from(payload_binary, 'UTF8')::jsonb ->> 'sealed', 'base64') from 2 for 16) = uuid_send(@key)
              returning 1
            ),
            reports as (
              delete from report where subject_key = @subject and collected_at <= @fencedAt returning 1
            )
            select (select count(*) from state) + (select count(*) from reports)
            """, connection, transaction);
        command.Parameters.AddWithValue("subject", subject);
        command.Parameters.AddWithValue("key", keyId);
        command.Parameters.AddWithValue("fencedAt", fencedAt.UtcDateTime);
        var deleted = (long)(await command.ExecuteScalarAsync())!;

        await using var registry = new NpgsqlCommand(
            """
            delete from subject_registry where subject_key = @subject
              and not exists (select 1 from grain_state where grain_id_extension_string = @subject)
            """, connection, transaction);
        registry.Parameters.AddWithValue("subject", subject);
        deleted += await registry.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
        return (int)deleted;
    }
}
