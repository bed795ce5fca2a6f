using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Npgsql;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Tests.Infrastructure;
using PrimeDirective.Tests.Requests;
using PrimeDirective.Tests.Sharing;

namespace PrimeDirective.Tests.Keys;

/// <summary>
/// The inventory against the live schema: a journey stores distinctive canaries through the service's routes; then no
/// column of the region database or the key store holds a canary in any readable encoding unless the inventory lists it
/// as not sealed, and no column exists without an inventory entry. After everyone is erased, a <c>pg_dump</c> of each
/// database, the outbox directory and the logs of the whole journey hold no readable canary, and the copies sealed under
/// the erased keys no longer open. The journey's steps are in <see cref="CanaryJourney"/>.
/// </summary>
public sealed class CanaryInventoryTests
{
    [Fact]
    public async Task No_column_holds_a_canary_readable_or_lacks_an_inventory_entry_and_after_erasure_no_dump_log_or_outbox_file_holds_one()
    {
        await using var service = await ServiceHost.StartOwnedAsync<CanaryService>();
        await using var processor = await LoopbackProcessor.StartAsync();
        var journey = new CanaryJourney(service, await service.OfficerAsync("ap"), processor);
        await journey.RunAsync();

        await AssertEveryColumnInventoriedAndNoCanaryReadableAsync(service, journey.Canaries);
        var copies = await SealedCopiesAsync(service, journey);

        await journey.EraseEveryoneAsync();

        // The copies taken before no longer open: their keys are destroyed.
        foreach (var (context, sealedValue) in copies)
        {
            Assert.Null(await service.Database.Sealer!.OpenAsync(context, sealedValue));
        }

        var personal = journey.Canaries.Where(canary => canary.Key != "analytics page").ToList();
        await AssertNoDumpHoldsAsync(service, personal);
        await AssertNoOutboxFileHoldsAsync(service, personal);
        AssertNoLogHolds(service, journey.Canaries);
    }

    /// <summary>
    /// The live schema: every column has an entry, and a canary is readable only where the inventory says "not sealed";
    /// only the anonymous page path is kept as sent (an inventory exception), no personal canary is readable anywhere.
    /// </summary>
    private static async Task AssertEveryColumnInventoriedAndNoCanaryReadableAsync(CanaryService service, Dictionary<string, string> canaries)
    {
        var regionColumns = await ColumnsAsync(service.Database);
        var keyColumns = await ColumnsAsync(service.KeyStore);
        var missing = regionColumns.Where(column => PersonalDataInventory.Column(StoreKind.RegionTable, column.Table, column.Column) is null)
            .Concat(keyColumns.Where(column => PersonalDataInventory.Column(StoreKind.KeyStoreTable, column.Table, column.Column) is null))
            .Select(column => $"{column.Table}.{column.Column}").ToList();
        Assert.True(missing.Count == 0, $"columns without an inventory entry: {string.Join(", ", missing)}");

        var found = (await FindAsync(service.Database, regionColumns, StoreKind.RegionTable, canaries))
            .Concat(await FindAsync(service.KeyStore, keyColumns, StoreKind.KeyStoreTable, canaries)).ToList();
        var leaks = found.Where(hit => hit.Entry.Protection != Protection.NotSealed).Select(hit => hit.ToString()).ToList();
        Assert.True(leaks.Count == 0, $"canaries readable in columns the inventory calls protected: {string.Join("; ", leaks)}");

        Assert.Contains(found, hit => hit is { Route: "analytics page", Table: "analytics_event", Column: "page" });
        Assert.Empty(found.Where(hit => hit.Route != "analytics page").Select(hit => hit.ToString()));
    }

    /// <summary>Copies as a backup would keep them, before erasure (each opens now): the person's, the cluster's and the child's sealed state, the crash text.</summary>
    private static async Task<List<(SealContext Context, byte[] Sealed)>> SealedCopiesAsync(CanaryService service, CanaryJourney journey)
    {
        var keys = Erasure.KeysOf(service);
        var (personKey, clusterKey, childKey) = (keys.Users.ForUser(journey.Person.UserId), keys.Clusters.For("eu", journey.Cluster.Id), keys.Users.ForUser(journey.Child.UserId));
        var copies = new List<(SealContext Context, byte[] Sealed)>();
        foreach (var key in new[] { personKey, clusterKey, childKey })
        {
            copies.Add((SealedGrainStorage.ContextFor(key), await CryptoShreddingTests.SealedPayloadAsync(service.Database, key)));
        }

        var crashValue = await CrashValueAsync(service.Database, clusterKey);
        copies.Add((ClusterCrashReports.ContextFor(clusterKey, crashValue.ItemId), Convert.FromBase64String(crashValue.Sealed)));
        foreach (var (context, sealedValue) in copies)
        {
            Assert.NotNull(await service.Database.Sealer!.OpenAsync(context, sealedValue));
        }

        return copies;
    }

    /// <summary>Neither database's <c>pg_dump</c> holds a personal canary readable.</summary>
    private static async Task AssertNoDumpHoldsAsync(CanaryService service, List<KeyValuePair<string, string>> personal)
    {
        foreach (var database in new[] { service.Database, service.KeyStore })
        {
            var inDump = Readable(await DumpAsync(database), personal);
            Assert.True(inDump.Count == 0, $"pg_dump of {database.Name} holds: {string.Join(", ", inDump)}");
        }
    }

    /// <summary>
    /// The outbox directory: mail delivered to an erased owner is destroyed with it. The parent's mail belongs to the request,
    /// which is not erased: the inventory keeps delivered mail until Outbox:FileLifetime (a mail pickup reads it as mail).
    /// </summary>
    private static async Task AssertNoOutboxFileHoldsAsync(CanaryService service, List<KeyValuePair<string, string>> personal)
    {
        Assert.Equal(Protection.NotSealed, PersonalDataInventory.Table(StoreKind.Directory, "Outbox:Directory")!.Single().Protection);
        personal = [.. personal.Where(canary => !canary.Key.StartsWith("parent", StringComparison.Ordinal) && canary.Key != "child-removal statement")];
        var files = Directory.Exists(service.Outbox.Directory) ? Directory.GetFiles(service.Outbox.Directory, "*", SearchOption.AllDirectories) : [];
        foreach (var file in files)
        {
            var inFile = Readable(await File.ReadAllTextAsync(file), personal);
            Assert.True(inFile.Count == 0, $"outbox file {Path.GetFileName(file)} holds: {string.Join(", ", inFile)}");
        }
    }

    /// <summary>The logs of every silo and gateway, captured through the whole journey and the erasures: no canary, in any readable form.</summary>
    private static void AssertNoLogHolds(CanaryService service, Dictionary<string, string> canaries)
    {
        var logs = LogText.All(service.Logs);
        Assert.NotEmpty(logs);
        var inLogs = Readable(logs, canaries);
        Assert.True(inLogs.Count == 0, $"the logs hold: {string.Join(", ", inLogs)}");
    }

    /// <summary>The routes of the canaries readable in <paramref name="text"/>, in any of their <see cref="Encodings"/>.</summary>
    private static List<string> Readable(string text, IEnumerable<KeyValuePair<string, string>> canaries) =>
        [.. canaries.Where(canary => Encodings(canary.Value).Any(form => text.Contains(form, StringComparison.OrdinalIgnoreCase))).Select(canary => canary.Key)];

    /// <summary>A canary found in a column.</summary>
    private sealed record Hit(string Route, string Table, string Column, InventoryEntry Entry)
    {
        public override string ToString() => $"{Route} in {Table}.{Column} ({Entry.Protection})";
    }

    /// <summary>The forms a value may be readable in: as is, hex of its UTF-8, base64 at each of the three alignments, JSON-escaped.</summary>
    internal static IEnumerable<string> Encodings(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        yield return value;
        yield return Convert.ToHexString(bytes);
        yield return JsonSerializer.Serialize(value)[1..^1];
        for (var offset = 0; offset < 3; offset++)
        {
            // With `offset` bytes before it, the characters of the groups made of the value's bytes alone.
            var encoded = Convert.ToBase64String([.. new byte[offset], .. bytes]);
            yield return encoded[(offset == 0 ? 0 : 4)..^4];
        }
    }

    /// <summary>Every column of the public schema, as (table, column, data type).</summary>
    private static async Task<List<(string Table, string Column, string Type)>> ColumnsAsync(TestDatabase database)
    {
        var columns = new List<(string, string, string)>();
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select c.table_name, c.column_name, c.data_type from information_schema.columns c join information_schema.tables t " +
            "on t.table_schema = c.table_schema and t.table_name = c.table_name where c.table_schema = 'public' and t.table_type = 'BASE TABLE' " +
            "order by c.table_name, c.ordinal_position", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            columns.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return columns;
    }

    /// <summary>Every canary readable in any column: bytea read as its bytes (UTF-8), every other type as its text.</summary>
    private static async Task<List<Hit>> FindAsync(TestDatabase database, List<(string Table, string Column, string Type)> columns, StoreKind kind, Dictionary<string, string> canaries)
    {
        var hits = new List<Hit>();
        var forms = canaries.Select(canary => (canary.Key, Forms: Encodings(canary.Value).ToList())).ToList();
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        foreach (var (table, column, type) in columns)
        {
            var selected = type == "bytea" ? $"\"{column}\"" : $"\"{column}\"::text";
            await using var command = new NpgsqlCommand($"select {selected} from \"{table}\" where \"{column}\" is not null", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var text = type == "bytea" ? Encoding.UTF8.GetString((byte[])reader[0]) : reader.GetString(0);
                foreach (var (route, routeForms) in forms)
                {
                    if (routeForms.Any(form => text.Contains(form, StringComparison.OrdinalIgnoreCase)))
                    {
                        hits.Add(new Hit(route, table, column, PersonalDataInventory.Column(kind, table, column)!));
                    }
                }
            }
        }

        return hits;
    }

    /// <summary>The crash report item of <paramref name="clusterKey"/> as the report row stores it: its item id and sealed text.</summary>
    private static async Task<(string ItemId, string Sealed)> CrashValueAsync(TestDatabase database, string clusterKey)
    {
        var row = await database.ScalarAsync<string>(
            "select json_build_object('id', report_id, 'v', (select i ->> 'v' from jsonb_array_elements(items) i where i ->> 'c' = 'crash-report'))::text " +
            "from report where subject_key = @key and report_id like 'crash-%'", ("key", clusterKey));
        Assert.NotNull(row);
        using var json = JsonDocument.Parse(row);
        var reportId = json.RootElement.GetProperty("id").GetString()!;
        return ($"{reportId}:crash-report", json.RootElement.GetProperty("v").GetString()!);
    }

    /// <summary>The text of <c>pg_dump</c> of <paramref name="database"/> (the PostgreSQL install's own, as an operator's backup would be).</summary>
    private static async Task<string> DumpAsync(TestDatabase database)
    {
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        var pgDump = Directory.GetFiles("/usr/lib/postgresql", "pg_dump", SearchOption.AllDirectories).OrderDescending(StringComparer.Ordinal).FirstOrDefault() ?? "pg_dump";
        var start = new ProcessStartInfo(pgDump)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-h", builder.Host!, "-p", builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", builder.Username!, "-d", builder.Database! })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PGPASSWORD"] = builder.Password;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"pg_dump failed: {await error}");
        return await output;
    }
}
