using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace PrimeDirective.Grains.Storage;

/// <summary>
/// Applies the embedded <c>Storage/Migrations/V###__name.sql</c> scripts to a PostgreSQL database, in version order,
/// each at most once. Safe to call from every silo at start: concurrent callers serialise on an advisory lock.
/// </summary>
public sealed partial class SchemaMigrator(ILogger<SchemaMigrator> logger)
{
    /// <summary>The transaction-scoped advisory lock every migrator takes ("PrimeDir" in ASCII).</summary>
    public const long AdvisoryLockKey = 0x5072696D65446972;

    private static readonly Lazy<IReadOnlyList<Migration>> _migrations = new(() => LoadMigrations(MigrationResourceName()));

    // The key store is a database of its own with its own scripts (Sealing/KeyStoreMigrations/K###__name.sql) and ledger.
    private static readonly Lazy<IReadOnlyList<Migration>> _keyStoreMigrations = new(() => LoadMigrations(KeyStoreResourceName()));

    /// <summary>The embedded migrations, in the order they are applied.</summary>
    public static IReadOnlyList<(int Version, string Name)> Migrations =>
        [.. _migrations.Value.Select(migration => (migration.Version, migration.Name))];

    /// <summary>The key store's embedded migrations, in the order they are applied.</summary>
    public static IReadOnlyList<(int Version, string Name)> KeyStoreMigrations =>
        [.. _keyStoreMigrations.Value.Select(migration => (migration.Version, migration.Name))];

    /// <summary>Brings the key store's database (<c>ConnectionStrings:KeyStore</c>) up to its latest embedded migration.</summary>
    public Task ApplyKeyStoreAsync(string connectionString, CancellationToken cancellationToken) =>
        ApplyAsync(connectionString, _keyStoreMigrations.Value, "key_store_migration", cancellationToken);

    /// <summary>
    /// Brings the database behind <paramref name="connectionString"/> up to the latest embedded migration.
    /// All pending migrations run in one transaction: either all are applied and recorded, or none.
    /// </summary>
    public Task ApplyAsync(string connectionString, CancellationToken cancellationToken) =>
        ApplyAsync(connectionString, _migrations.Value, "schema_migration", cancellationToken);

    private async Task ApplyAsync(string connectionString, IReadOnlyList<Migration> migrations, string ledger, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Another silo may hold the lock while it migrates; wait for it (bounded by the caller's token).
        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_xact_lock(@key)", connection, transaction))
        {
            lockCommand.CommandTimeout = 0;
            lockCommand.Parameters.AddWithValue("key", AdvisoryLockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        await ExecuteAsync(
            connection,
            transaction,
            $"create table if not exists {ledger} (" +
            "version integer primary key, name text not null, applied_at timestamptz not null default now())",
            null,
            cancellationToken);

        var applied = await ReadAppliedVersionsAsync(connection, transaction, ledger, cancellationToken);
        var pending = migrations.Where(migration => !applied.Contains(migration.Version)).ToList();
        if (pending.Count == 0)
        {
            LogUpToDate(logger, applied.Count == 0 ? 0 : applied.Max());
            await transaction.CommitAsync(cancellationToken);
            return;
        }

        foreach (var migration in pending)
        {
            LogApplying(logger, migration.Version, migration.Name);
            await ExecuteAsync(connection, transaction, migration.Sql, 0, cancellationToken);
            await using var record = new NpgsqlCommand(
                $"insert into {ledger} (version, name) values (@version, @name)", connection, transaction);
            record.Parameters.AddWithValue("version", migration.Version);
            record.Parameters.AddWithValue("name", migration.Name);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        LogApplied(logger, pending.Count, pending[^1].Version);
    }

    private static async Task ExecuteAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        string sql,
        int? timeoutSeconds,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        if (timeoutSeconds is { } timeout)
        {
            command.CommandTimeout = timeout;
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<HashSet<int>> ReadAppliedVersionsAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        string ledger,
        CancellationToken cancellationToken)
    {
        var versions = new HashSet<int>();
        await using var command = new NpgsqlCommand($"select version from {ledger}", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }

    private static List<Migration> LoadMigrations(Regex resourceName)
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var match = resourceName.Match(resource);
            if (!match.Success)
            {
                continue;
            }

            migrations.Add(new Migration(
                int.Parse(match.Groups["version"].Value, NumberStyles.None, CultureInfo.InvariantCulture),
                match.Groups["name"].Value,
                ReadResource(assembly, resource)));
        }

        var duplicate = migrations.GroupBy(migration => migration.Version).FirstOrDefault(group => group.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two embedded migrations share version {duplicate.Key}.");
        }

        return [.. migrations.OrderBy(migration => migration.Version)];
    }

    private static string ReadResource(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded migration {resource} cannot be read.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"\.Storage\.Migrations\.V(?<version>[0-9]{3,})__(?<name>[A-Za-z0-9_]+)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex MigrationResourceName();

    [GeneratedRegex(@"\.Sealing\.KeyStoreMigrations\.K(?<version>[0-9]{3,})__(?<name>[A-Za-z0-9_]+)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyStoreResourceName();

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying storage schema migration V{Version:000} ({Name})")]
    private static partial void LogApplying(ILogger logger, int version, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {Count} storage schema migration(s); schema is at V{Version:000}")]
    private static partial void LogApplied(ILogger logger, int count, int version);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Storage schema is up to date at V{Version:000}")]
    private static partial void LogUpToDate(ILogger logger, int version);

    private sealed record Migration(int Version, string Name, string Sql);
}
