using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Storage;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Notices;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Retention;

/// <summary>
/// Copies into the <c>legal_hold</c> mirror the holds that sealed cluster states carried before the mirror existed (V019
/// copies those in plain, pre-sealing states itself), then marks the region done. Retention waves wait for that mark: a
/// hold nobody has read yet must not let a wave destroy what it holds. A hold placed or lifted meanwhile writes its own
/// row; a race can only leave a row that keeps a subject longer (lifted right after it was read), which the next lift of
/// that subject or its own reminder settles.
/// </summary>
public sealed partial class LegalHoldBackfill(
    RegionDatabases databases, [FromKeyedServices(StorageNames.Subjects)] IGrainStorage storage, ILogger<LegalHoldBackfill> logger)
{
    /// <summary>Backfills <paramref name="region"/> unless it is marked done; answers once it is.</summary>
    public async Task EnsureAsync(string region)
    {
        await using var connection = new NpgsqlConnection(databases.For(region));
        await connection.OpenAsync();
        await using (var done = new NpgsqlCommand("select exists (select 1 from legal_hold_backfill where region = @region)", connection))
        {
            done.Parameters.AddWithValue("region", region);
            if (await done.ExecuteScalarAsync() is true)
            {
                return;
            }
        }

        var keys = new List<string>();
        await using (var sealedStates = new NpgsqlCommand(
            """
            select grain_id_extension_string from grain_state
            where grain_type_string = @type and starts_with(grain_id_extension_string, @prefix) and payload_binary is not null
              and convert_from(payload_binary, 'UTF8')::jsonb -> @member is not null
            """,
            connection))
        {
            sealedStates.Parameters.AddWithValue("type", ClusterStateName);
            sealedStates.Parameters.AddWithValue("prefix", region + "/");
            sealedStates.Parameters.AddWithValue("member", Sealing.SealedGrainStorage.Member);
            await using var reader = await sealedStates.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                keys.Add(reader.GetString(0));
            }
        }

        var held = 0;
        foreach (var key in keys)
        {
            var state = new GrainState<ClusterState>();
            await storage.ReadStateAsync(ClusterStateName, GrainId.Create(ClusterStateName, key), state);
            if (state.RecordExists && state.State?.LegalHold is { } hold)
            {
                await PostgresLegalHoldMirror.InsertAsync(connection, key, SubjectKinds.Cluster, state.State.LegalHoldMirrorId ?? LegalHoldRows.Backfill, hold);
                held++;
            }
        }

        await using (var mark = new NpgsqlCommand(
            "insert into legal_hold_backfill (region, done_at) values (@region, now()) on conflict (region) do nothing", connection))
        {
            mark.Parameters.AddWithValue("region", region);
            await mark.ExecuteNonQueryAsync();
        }

        LogBackfilled(logger, region, keys.Count, held);
    }

    /// <summary>The cluster grain's type and state name (<c>[PersistentState("cluster")]</c>, the grain_state rows' type).</summary>
    private const string ClusterStateName = "cluster";

    [LoggerMessage(Level = LogLevel.Information, Message = "Legal hold mirror of region {Region} backfilled: {States} sealed cluster state(s) read, {Held} hold(s) copied")]
    private static partial void LogBackfilled(ILogger logger, string region, int states, int held);
}
