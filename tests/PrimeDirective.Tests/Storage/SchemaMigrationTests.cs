using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Npgsql;
using PrimeDirective.Grains.Storage;
using PrimeDirective.Tests.Infrastructure;

namespace PrimeDirective.Tests.Storage;

/// <summary>The embedded migrations apply once per database, however often and however concurrently they are run.</summary>
public sealed class SchemaMigrationTests
{
    [Fact]
    public void Migrations_lists_the_embedded_scripts_in_version_order()
    {
        var migrations = SchemaMigrator.Migrations;

        Assert.Equal((1, "orleans_storage"), migrations[0]);
        Assert.Equal(migrations.Select(migration => migration.Version).Order(), migrations.Select(migration => migration.Version));
        Assert.Equal(migrations.Count, migrations.Select(migration => migration.Version).Distinct().Count());
    }

    [Fact]
    public async Task ApplyAsync_twice_applies_once_and_the_second_run_changes_nothing()
    {
        await using var database = await TestDatabase.CreateAsync("migrate_twice");
        var logger = new FakeLogger<SchemaMigrator>();
        var migrator = new SchemaMigrator(logger);

        await migrator.ApplyAsync(database.ConnectionString, CancellationToken.None);
        var afterFirst = await SnapshotAsync(database);
        var loggedFirst = logger.Collector.GetSnapshot().Count(record => record.Level == LogLevel.Information);
        await migrator.ApplyAsync(database.ConnectionString, CancellationToken.None);
        var afterSecond = await SnapshotAsync(database);

        await AssertOneCorrectSchemaAsync(database);
        Assert.Equal(afterFirst, afterSecond);
        Assert.Equal(SchemaMigrator.Migrations.Count + 1, loggedFirst);
        Assert.DoesNotContain(
            logger.Collector.GetSnapshot().Skip(loggedFirst),
            record => record.Level >= LogLevel.Information);
    }

    [Fact]
    public async Task ApplyAsync_from_several_silos_at_once_on_a_fresh_database_applies_once()
    {
        await using var database = await TestDatabase.CreateAsync("migrate_concurrent");
        var migrator = new SchemaMigrator(new FakeLogger<SchemaMigrator>());

        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => migrator.ApplyAsync(database.ConnectionString, CancellationToken.None)));

        await AssertOneCorrectSchemaAsync(database);
    }

    [Fact]
    public async Task ApplyAsync_waits_for_a_migration_in_progress_and_then_finds_nothing_to_do()
    {
        await using var database = await TestDatabase.CreateAsync("migrate_wait");
        var migrator = new SchemaMigrator(new FakeLogger<SchemaMigrator>());

        // Stand in for a silo that is mid-migration: hold the migrators' lock in an open transaction.
        await using var holder = new NpgsqlConnection(database.ConnectionString);
        await holder.OpenAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand("select pg_advisory_xact_lock(@key)", holder, transaction))
        {
            take.Parameters.AddWithValue("key", SchemaMigrator.AdvisoryLockKey);
            await take.ExecuteNonQueryAsync();
        }

        var waiting = new[]
        {
            migrator.ApplyAsync(database.ConnectionString, CancellationToken.None),
            migrator.ApplyAsync(database.ConnectionString, CancellationToken.None),
        };
        await WaitUntilAsync(async () => await database.ScalarAsync<long>(
            "select count(*) from pg_locks where locktype = 'advisory' and not granted " +
            "and database = (select oid from pg_database where datname = current_database())") == 2);

        Assert.All(waiting, task => Assert.False(task.IsCompleted));
        Assert.Null(await database.ScalarAsync<string>("select to_regclass('schema_migration')::text"));

        await transaction.CommitAsync();
        await Task.WhenAll(waiting);

        await AssertOneCorrectSchemaAsync(database);
    }

    [Fact]
    public async Task Migration_scripts_are_idempotent_when_run_again_outside_the_migrator()
    {
        await using var database = await TestDatabase.CreateAsync("migrate_rerun");
        await new SchemaMigrator(new FakeLogger<SchemaMigrator>()).ApplyAsync(database.ConnectionString, CancellationToken.None);
        var before = await SnapshotAsync(database);

        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            foreach (var resource in MigrationResources())
            {
                await using var command = new NpgsqlCommand(ReadResource(resource), connection);
                await command.ExecuteNonQueryAsync();
            }
        }

        Assert.Equal(before, await SnapshotAsync(database));
        await AssertOneCorrectSchemaAsync(database);
    }

    [Fact]
    public async Task ApplyAsync_records_the_migration_and_creates_the_orleans_tables()
    {
        await using var database = await TestDatabase.CreateAsync("migrate_tables");

        await new SchemaMigrator(new FakeLogger<SchemaMigrator>()).ApplyAsync(database.ConnectionString, CancellationToken.None);

        foreach (var table in new[] { "orleansquery", "membership_version", "membership_member", "reminder", "grain_state", "schema_migration" })
        {
            Assert.True(await database.ScalarAsync<bool>("select to_regclass(@name) is not null", ("name", $"public.{table}")), table);
        }

        Assert.Equal("orleans_storage", await database.ScalarAsync<string>("select name from schema_migration where version = 1"));
        Assert.Equal(0L, await database.ScalarAsync<long>(
            "select count(*) from information_schema.columns where table_schema = 'public' " +
            "and data_type = 'timestamp without time zone'"));
    }

    [Fact]
    public async Task Upgrading_moves_the_counts_earlier_ledger_grains_kept_into_ledger_rows_once()
    {
        await using var database = await TestDatabase.CreateAsync("migrate_ledger");
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            // The database as the previous version left it: V001 and V002 applied, a region's day kept as ledger grain state.
            await connection.OpenAsync();
            var previous = MigrationResources().Where(name => name.Contains(".V001__", StringComparison.Ordinal) || name.Contains(".V002__", StringComparison.Ordinal));
            var script = string.Join('\n', previous.Select(ReadResource)) +
                """
                create table schema_migration (version integer primary key, name text not null, applied_at timestamptz not null default now());
                insert into schema_migration (version, name) values (1, 'orleans_storage'), (2, 'grain_state_tombstones');
                insert into grain_state (service_id, grain_type_string, grain_type_hash, grain_id_n0, grain_id_n1, grain_id_extension_string, grain_id_hash, payload_binary, version)
                values ('prime-directive', 'destructionledger', 11, 0, 0, 'eu/ledger/2026-11-29', 12, convert_to(@payload, 'UTF8'), 4);
                """;
            await using var command = new NpgsqlCommand(script, connection);
            command.Parameters.AddWithValue("payload", """
                {"Entries":{
                  "cluster|IpAddress|expiry":{"SubjectKind":"cluster","Category":"ip-address","Why":"expiry","Count":3,"LastAt":"2026-11-29T10:00:00+00:00"},
                  "account|Account|request":{"SubjectKind":"account","Category":"account","Why":"request","Count":5,"LastAt":"2026-11-29T11:00:00+00:00"}}}
                """);
            await command.ExecuteNonQueryAsync();
        }

        var migrator = new SchemaMigrator(new FakeLogger<SchemaMigrator>());
        await migrator.ApplyAsync(database.ConnectionString, CancellationToken.None);
        await migrator.ApplyAsync(database.ConnectionString, CancellationToken.None);

        const string counted = "select coalesce(sum(count), 0) from destruction_ledger where region = 'eu' and day = '2026-11-29' and category = @category and why = @why and subject_kind = @kind";
        Assert.Equal(3L, await database.ScalarAsync<long>(counted, ("category", "ip-address"), ("why", "expiry"), ("kind", "cluster")));
        Assert.Equal(5L, await database.ScalarAsync<long>(counted, ("category", "account"), ("why", "request"), ("kind", "account")));
        Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from grain_state where grain_id_extension_string like '%/ledger/%'"));
        await AssertOneCorrectSchemaAsync(database);
    }

    private static async Task AssertOneCorrectSchemaAsync(TestDatabase database)
    {
        foreach (var (version, name) in SchemaMigrator.Migrations)
        {
            Assert.Equal(1L, await database.ScalarAsync<long>(
                "select count(*) from schema_migration where version = @version and name = @name", ("version", version), ("name", name)));
        }

        Assert.Equal((long)SchemaMigrator.Migrations.Count, await database.ScalarAsync<long>("select count(*) from schema_migration"));
        foreach (var key in OrleansCatalogue.BoundParameters.Keys)
        {
            Assert.Equal(1L, await database.ScalarAsync<long>(
                "select count(*) from orleansquery where querykey = @key and length(querytext) > 0", ("key", key)));
        }

        Assert.Equal((long)OrleansCatalogue.BoundParameters.Count, await database.ScalarAsync<long>("select count(*) from orleansquery"));
    }

    /// <summary>The catalogue, the recorded migrations and the shape of every table, as one comparable text.</summary>
    private static async Task<string?> SnapshotAsync(TestDatabase database) =>
        await database.ScalarAsync<string>(
            "select concat_ws(E'\\n', " +
            "(select string_agg(querykey || '=' || md5(querytext), ',' order by querykey) from orleansquery), " +
            "(select string_agg(version || ':' || name || '@' || applied_at, ',' order by version) from schema_migration), " +
            "(select string_agg(table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable, ',' " +
            "order by table_name, ordinal_position) from information_schema.columns where table_schema = 'public'), " +
            "(select string_agg(indexname || ' ' || indexdef, ',' order by indexname) from pg_indexes where schemaname = 'public'), " +
            "(select string_agg(proname || ' ' || md5(prosrc), ',' order by proname) from pg_proc " +
            "where pronamespace = 'public'::regnamespace))");

    internal static IEnumerable<string> MigrationResources() =>
        typeof(SchemaMigrator).Assembly.GetManifestResourceNames()
            .Where(name => name.Contains(".Storage.Migrations.V", StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    internal static string ReadResource(string name)
    {
        using var stream = typeof(SchemaMigrator).Assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), deadline.Token);
        }
    }
}
