using System.Text;
using System.Text.Json;
using Npgsql;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Sealing;

namespace PrimeDirective.Tests.Infrastructure;

/// <summary>
/// A fresh, empty PostgreSQL database for one fixture or test, dropped on dispose.
/// The server comes from <c>PD_TEST_PG</c> (a base connection string without a database);
/// <c>scripts/test.sh</c> sets it after starting the local cluster.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private TestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("PD_TEST_PG")
        ?? "Host=127.0.0.1;Port=5432;Username=prime_directive;Password=prime_directive";

    public static async Task<TestDatabase> CreateAsync(string purpose)
    {
        // PostgreSQL identifiers hold 63 bytes: shorten the purpose, never the unique suffix.
        var label = purpose.Length > 26 ? purpose[..26] : purpose;
        var name = $"pdt_{label}_{Guid.NewGuid():N}".ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(Admin("postgres")))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"create database \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new TestDatabase(name, Admin(name));
    }

    public NpgsqlDataSource OpenDataSource() => NpgsqlDataSource.Create(ConnectionString);

    /// <summary>
    /// Opens sealed grain state as the service does (its key store and KEKs), so that checks of what a subject still has
    /// see through the sealing; <c>null</c> until a fixture sets it. A value whose key was destroyed does not open.
    /// </summary>
    public Sealer? Sealer { get; set; }

    /// <summary>The grain state of <paramref name="grainKey"/> as JSON, opened if sealed; <c>null</c> if there is none (or its key was destroyed).</summary>
    public async Task<string?> GrainStateJsonAsync(string grainKey)
    {
        var payload = await ScalarAsync<byte[]>("select payload_binary from grain_state where grain_id_extension_string = @key", ("key", grainKey));
        return payload is null ? null : await OpenStateAsync(grainKey, payload);
    }

    /// <summary>Every grain state (key, JSON opened if sealed) whose opened text contains <paramref name="needle"/>.</summary>
    public async Task<List<(string Key, string Json)>> GrainStatesContainingAsync(string needle) =>
        [.. (await TestSealing.WithKeySnapshotAsync(Sealer, () => StatesContainingAsync(needle))).Select(found => (found.Key, found.Json))];

    private async Task<List<(string Key, string Json, bool Sealed)>> StatesContainingAsync(string needle)
    {
        var found = new List<(string, string, bool)>();
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select grain_id_extension_string, payload_binary from grain_state where payload_binary is not null", connection);
        var rows = new List<(string Key, byte[] Payload)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetString(0), (byte[])reader[1]));
            }
        }

        foreach (var (key, payload) in rows)
        {
            if (await OpenStateAsync(key, payload) is { } json && json.Contains(needle, StringComparison.OrdinalIgnoreCase))
            {
                found.Add((key, json, !json.AsSpan().SequenceEqual(Encoding.UTF8.GetString(payload))));
            }
        }

        return found;
    }

    /// <summary>Rewrites the stored grain state of <paramref name="grainKey"/> (opened, changed, sealed again as the service would); <c>false</c> if <paramref name="change"/> changed nothing.</summary>
    public async Task<bool> RewriteGrainStateAsync(string grainKey, Func<string, string> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var json = await GrainStateJsonAsync(grainKey) ?? throw new InvalidOperationException("No state to rewrite.");
        var changed = change(json);
        if (changed == json)
        {
            return false;
        }

        var payload = Sealer is null
            ? Encoding.UTF8.GetBytes(changed)
            : JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
            {
                [SealedGrainStorage.Member] = Convert.ToBase64String(await Sealer.SealAsync(SealedGrainStorage.ContextFor(grainKey), Encoding.UTF8.GetBytes(changed))),
            });
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("update grain_state set payload_binary = @payload where grain_id_extension_string = @key", connection);
        command.Parameters.AddWithValue("payload", payload);
        command.Parameters.AddWithValue("key", grainKey);
        return await command.ExecuteNonQueryAsync() > 0;
    }

    private async Task<string?> OpenStateAsync(string grainKey, byte[] payload)
    {
        using var document = JsonDocument.Parse(payload);
        if (Sealer is null || !document.RootElement.TryGetProperty(SealedGrainStorage.Member, out var sealedValue) || sealedValue.ValueKind != JsonValueKind.String)
        {
            return Encoding.UTF8.GetString(payload);
        }

        return await Sealer.OpenAsync(SealedGrainStorage.ContextFor(grainKey), sealedValue.GetBytesFromBase64()) is { } plain ? Encoding.UTF8.GetString(plain) : null;
    }

    /// <summary>Runs a scalar query against this database.</summary>
    public async Task<T?> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (parameterName, value) in parameters)
        {
            command.Parameters.AddWithValue(parameterName, value);
        }

        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? default : (T)result;
    }

    /// <summary>
    /// Counts rows, in every table of the database, whose text rendering (payloads decoded as UTF-8)
    /// contains <paramref name="needle"/>: the check that nothing of a subject is left anywhere.
    /// </summary>
    /// <param name="needle">The text looked for.</param>
    /// <param name="openSealed">Whether sealed grain state is opened first (the service's view); <c>false</c> reads only what a dump shows.</param>
    public async Task<long> CountRowsContainingAsync(string needle, bool openSealed = true)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
            "select quote_ident(table_schema) || '.' || quote_ident(table_name) from information_schema.tables " +
            "where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        // Bytea columns are searched in their bytes (payloads need not be valid UTF-8): as escaped text,
        // case-insensitively for ASCII needles, and as the needle's exact UTF-8 bytes for any needle.
        // The row cast covers every other column. Every table in one statement: one round trip, however many tables.
        var counts = tables.Select(table =>
            $"(select count(*) from {table} t where strpos(lower(t::text), lower(@needle)) > 0 " +
            $"or exists (select 1 from jsonb_each_text(to_jsonb(t)) kv cross join lateral (select case " +
            $"when kv.value ~ '^\\\\x([0-9a-f]{{2}})*$' then decode(substr(kv.value, 3), 'hex') end as bytes) b " +
            $"where b.bytes is not null " +
            $"and (strpos(lower(encode(b.bytes, 'escape')), lower(@needle)) > 0 " +
            $"or position(convert_to(@needle, 'UTF8') in b.bytes) > 0)))");
        long total = 0;
        if (tables.Count > 0)
        {
            await using var command = new NpgsqlCommand($"select {string.Join(" + ", counts)}", connection);
            command.Parameters.AddWithValue("needle", needle);
            total += (long)(await command.ExecuteScalarAsync())!;
        }

        if (!openSealed || Sealer is null)
        {
            return total;
        }

        // Sealed grain state is opened as the service opens it: a subject's data counts while its key lives. So is a
        // sealed report address and a sealed crash text (values of a report row, sealed on their own).
        return total + await TestSealing.WithKeySnapshotAsync(Sealer, async () =>
            (tables.Contains("public.grain_state") ? (await StatesContainingAsync(needle)).Count(found => found.Sealed) : 0)
            + (tables.Contains("public.report")
                ? await SealedAddressesContainingAsync(connection, needle) + await SealedCrashTextsContainingAsync(connection, needle)
                : 0));
    }

    private async Task<long> SealedAddressesContainingAsync(NpgsqlConnection connection, string needle)
    {
        var rows = new List<(string Subject, string Report, string Stored)>();
        await using (var command = new NpgsqlCommand("select subject_key, report_id, ip_address from report where ip_address is not null", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        long found = 0;
        foreach (var (subject, report, stored) in rows.Where(row => Sealer.IsSealedText(row.Stored)))
        {
            if (await Sealer!.OpenTextAsync(ReportAddressSealing.ContextFor(subject, report), stored) is { } address
                && address.Contains(needle, StringComparison.OrdinalIgnoreCase))
            {
                found++;
            }
        }

        return found;
    }

    /// <summary>Report rows whose crash report text, sealed on its own under the cluster's key, opens to hold <paramref name="needle"/>.</summary>
    private async Task<long> SealedCrashTextsContainingAsync(NpgsqlConnection connection, string needle)
    {
        var rows = new List<(string Subject, string ItemId, string Stored)>();
        await using (var command = new NpgsqlCommand(
            "select r.subject_key, r.report_id || ':' || (i ->> 'c'), i ->> 'v' from report r cross join lateral jsonb_array_elements(r.items) i " +
            "where i ->> 'c' = 'crash-report' and i ->> 'v' is not null", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        long found = 0;
        foreach (var (subject, itemId, stored) in rows.Where(row => Sealer.IsSealedText(row.Stored)))
        {
            if (await Sealer!.OpenTextAsync(ClusterCrashReports.ContextFor(subject, itemId), stored) is { } text
                && text.Contains(needle, StringComparison.OrdinalIgnoreCase))
            {
                found++;
            }
        }

        return found;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Admin("postgres"));
        await connection.OpenAsync();

        // FORCE cannot end a session it may not signal (42501) and a session may still be leaving (55006): such a session
        // ends on its own in moments (a pool closing, a background worker), so the drop is retried until a deadline.
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                await using var command = new NpgsqlCommand($"drop database if exists \"{Name}\" with (force)", connection);
                await command.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException exception) when (exception.SqlState is "42501" or "55006" && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }
        }
    }

    private static string Admin(string database) =>
        new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = database }.ConnectionString;
}
