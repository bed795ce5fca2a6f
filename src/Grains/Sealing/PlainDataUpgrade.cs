using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Npgsql;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Regions;

namespace PrimeDirective.Grains.Sealing;

/// <summary>
/// The upgrade in place of what a release before sealing stored plain, at silo start before any grain serves (SQL alone
/// cannot encrypt): grain states, sealed whole under their subject's key as <see cref="SealedGrainStorage"/> writes them,
/// and crash report text, sealed per value under its cluster's key as <see cref="ClusterCrashReports"/> writes it. Only the
/// regions this silo serves, page by page; each row is updated only if it still holds what was read (a grain state keeps
/// its version: its content is the same), so two silos starting together seal it once and a crash loses nothing (the next
/// start seals what is left).
/// </summary>
internal sealed partial class PlainDataUpgrade(Sealer sealer, RegionDatabases regionDatabases, ILogger<PlainDataUpgrade> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private const int PageSize = 200;

    private static readonly string s_crashCategory = WireNames.Of(DataCategory.CrashReport);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PlainDataUpgrade), ServiceLifecycleStage.RuntimeInitialize, RunAsync);

    /// <summary>Seals what is plain in every region this silo serves; answers how many states and crash texts it sealed.</summary>
    public async Task<(int States, int CrashTexts)> RunAsync(CancellationToken cancellationToken)
    {
        var (states, crashTexts) = (0, 0);
        foreach (var (region, database) in regionDatabases.ByRegion)
        {
            states += await SealPlainStatesAsync(database, region, cancellationToken);
            crashTexts += await SealPlainCrashTextsAsync(database, region, cancellationToken);
        }

        if (states + crashTexts > 0)
        {
            LogSealed(logger, states, crashTexts);
        }

        return (states, crashTexts);
    }

    /// <summary>Seals the plain grain states of <paramref name="region"/>'s subjects (string keys <c>region/…</c>).</summary>
    private async Task<int> SealPlainStatesAsync(string database, string region, CancellationToken cancellationToken)
    {
        var sealedCount = 0;
        (string Service, string Type, string Key) after = (string.Empty, string.Empty, string.Empty);
        while (true)
        {
            var page = new List<(string Service, string Type, string Key, int Version, byte[] Payload)>();
            await using (var connection = new NpgsqlConnection(database))
            {
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand(
                    """
                    select service_id, grain_type_string, grain_id_extension_string, version, payload_binary
                    from grain_state
                    where grain_id_n0 = 0 and grain_id_n1 = 0 and starts_with(grain_id_extension_string, @prefix)
                      and payload_binary is not null
                      and jsonb_typeof(convert_from(payload_binary, 'UTF8')::jsonb -> @member) is distinct from 'string'
                      and (service_id, grain_type_string, grain_id_extension_string) > (@service, @type, @key)
                    order by service_id, grain_type_string, grain_id_extension_string
                    limit @limit
                    """,
                    connection);
                command.Parameters.AddWithValue("prefix", region + "/");
                command.Parameters.AddWithValue("member", SealedGrainStorage.Member);
                command.Parameters.AddWithValue("service", after.Service);
                command.Parameters.AddWithValue("type", after.Type);
                command.Parameters.AddWithValue("key", after.Key);
                command.Parameters.AddWithValue("limit", PageSize);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    page.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), (byte[])reader[4]));
                }
            }

            if (page.Count == 0)
            {
                return sealedCount;
            }

            foreach (var row in page)
            {
                var sealedValue = await sealer.SealAsync(SealedGrainStorage.ContextFor(row.Key), row.Payload);
                sealedCount += await ExecuteAsync(
                    database,
                    """
                    update grain_state set payload_binary = @sealed
                    where service_id = @service and grain_type_string = @type and grain_id_n0 = 0 and grain_id_n1 = 0
                      and grain_id_extension_string = @key and version = @version and payload_binary = @plain
                    """,
                    cancellationToken,
                    ("sealed", SealedGrainStorage.Envelope(sealedValue)),
                    ("service", row.Service),
                    ("type", row.Type),
                    ("key", row.Key),
                    ("version", row.Version),
                    ("plain", row.Payload));
            }

            after = (page[^1].Service, page[^1].Type, page[^1].Key);
        }
    }

    /// <summary>Seals the crash report text (an item value that is still plain JSON) of <paramref name="region"/>'s clusters.</summary>
    private async Task<int> SealPlainCrashTextsAsync(string database, string region, CancellationToken cancellationToken)
    {
        var sealedCount = 0;
        (string Subject, string Report) after = (string.Empty, string.Empty);
        while (true)
        {
            var page = new List<(string Subject, string Report, string Items)>();
            await using (var connection = new NpgsqlConnection(database))
            {
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand(
                    """
                    select subject_key, report_id, items::text from report
                    where starts_with(subject_key, @prefix) and (subject_key, report_id) > (@subject, @report)
                      and exists (select 1 from jsonb_array_elements(items) as item where item ->> 'c' = @category and left(item ->> 'v', 1) = '{')
                    order by subject_key, report_id
                    limit @limit
                    """,
                    connection);
                command.Parameters.AddWithValue("prefix", region + "/");
                command.Parameters.AddWithValue("subject", after.Subject);
                command.Parameters.AddWithValue("report", after.Report);
                command.Parameters.AddWithValue("category", s_crashCategory);
                command.Parameters.AddWithValue("limit", PageSize);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    page.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
                }
            }

            if (page.Count == 0)
            {
                return sealedCount;
            }

            foreach (var row in page)
            {
                var items = JsonNode.Parse(row.Items)!.AsArray();
                foreach (var item in items)
                {
                    if (item?["c"]?.GetValue<string>() == s_crashCategory && item["v"]?.GetValue<string>() is { } text && text.StartsWith('{'))
                    {
                        var itemId = ReportRows.ItemId(row.Report, DataCategory.CrashReport);
                        item["v"] = await sealer.SealTextAsync(ClusterCrashReports.ContextFor(row.Subject, itemId), text);
                    }
                }

                sealedCount += await ExecuteAsync(
                    database,
                    "update report set items = @sealed::jsonb where subject_key = @subject and report_id = @report and items = @plain::jsonb",
                    cancellationToken,
                    ("sealed", items.ToJsonString()),
                    ("subject", row.Subject),
                    ("report", row.Report),
                    ("plain", row.Items));
            }

            after = (page[^1].Subject, page[^1].Report);
        }
    }

    private static async Task<int> ExecuteAsync(string database, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sealed {States} grain state(s) and {CrashTexts} crash report text(s) stored plain by an earlier release")]
    private static partial void LogSealed(ILogger logger, int states, int crashTexts);
}
