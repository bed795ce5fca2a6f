using Npgsql;
using PrimeDirective.Bench;

namespace PrimeDirective.IngestBench;

/// <summary>A fresh database on the bench's server for one measurement, dropped on dispose, and what the bench reads from it.</summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string _server;
    private readonly NpgsqlDataSource _source;

    private BenchDatabase(string server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = BenchServer.ConnectionString(server, name);
        _source = NpgsqlDataSource.Create(ConnectionString);
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<BenchDatabase> CreateAsync(string server, CancellationToken cancellationToken) =>
        new(server, await BenchServer.CreateDatabaseAsync(server, "pdb_ingest", cancellationToken));

    /// <summary>The server's WAL position in bytes (server-wide: on a private server, only the bench writes WAL).</summary>
    public async Task<long> WalPositionAsync(CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand("select (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>This database's size on disk.</summary>
    public async Task<long> SizeAsync(CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand("select pg_database_size(current_database())");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Rows of every table in the public schema, by table name.</summary>
    public Task<Dictionary<string, long>> CountTablesAsync(IEnumerable<string>? only, CancellationToken cancellationToken) =>
        CountTablesAsync(only, excluded: null, cancellationToken);

    /// <summary>
    /// Rows of every table in the public schema (or of <paramref name="only"/>), by table name; with <paramref name="excluded"/>
    /// (a POSIX regular expression), rows where any text column matches it are not counted.
    /// </summary>
    public async Task<Dictionary<string, long>> CountTablesAsync(IEnumerable<string>? only, string? excluded, CancellationToken cancellationToken)
    {
        var tables = only?.ToList() ?? await TablesAsync(cancellationToken);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        if (tables.Count == 0)
        {
            return counts;
        }

        var textColumns = excluded is null ? [] : await TextColumnsAsync(cancellationToken);

        // One statement, so every count is of the same moment.
        var sql = "select " + string.Join(", ", tables.Select(table => $"(select count(*) from public.\"{table}\"{Except(table)})"));
        await using var command = _source.CreateCommand(sql);
        if (excluded is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = excluded });
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        for (var i = 0; i < tables.Count; i++)
        {
            counts[tables[i]] = reader.GetInt64(i);
        }

        return counts;

        string Except(string table) =>
            textColumns.TryGetValue(table, out var columns)
                ? $" where not ({string.Join(" or ", columns.Select(column => $"coalesce(\"{column}\" ~ $1, false)"))})"
                : string.Empty;
    }

    /// <summary>The text columns of each table in the public schema.</summary>
    private async Task<Dictionary<string, List<string>>> TextColumnsAsync(CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand(
            "select table_name, column_name from information_schema.columns where table_schema = 'public' and data_type in ('text', 'character varying') order by table_name, ordinal_position");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var columns = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            (columns.TryGetValue(reader.GetString(0), out var list) ? list : columns[reader.GetString(0)] = []).Add(reader.GetString(1));
        }

        return columns;
    }

    private async Task<List<string>> TablesAsync(CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand(
            "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tables = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    public async ValueTask DisposeAsync()
    {
        await _source.DisposeAsync();
        await BenchServer.DropDatabaseAsync(_server, Name);
    }
}
