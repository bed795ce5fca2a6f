using System.Diagnostics;
using Npgsql;
using PrimeDirective.Bench;

namespace PrimeDirective.RetentionBench;

/// <summary>A fresh PostgreSQL database for one bench run, dropped on dispose, and the questions the bench asks it.</summary>
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
        new(server, await BenchServer.CreateDatabaseAsync(server, "pdb_retention", cancellationToken));

    /// <summary>Rows of grain state and of reminders; the database is this run's alone, so all of them are the bench's subjects.</summary>
    public async Task<(long GrainStates, long Reminders)> CountRowsAsync(CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand("select (select count(*) from grain_state), (select count(*) from reminder)");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>On-disk size (heap, indexes, TOAST) of the two tables retention lives in.</summary>
    public async Task<(long GrainStateBytes, long ReminderBytes)> TableSizesAsync(CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand(
            "select pg_total_relation_size('grain_state'), pg_total_relation_size('reminder')");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>
    /// Runs the reminder service's own range read (<c>ReadRangeRows2Key</c>, from our query catalogue) over the whole
    /// hash ring, as a single silo's refresh does, and reads every row: what one refresh costs.
    /// </summary>
    public async Task<(long Rows, TimeSpan Elapsed)> TimeFullRangeReadAsync(string serviceId, CancellationToken cancellationToken)
    {
        await using var lookup = _source.CreateCommand("select querytext from orleansquery where querykey = 'ReadRangeRows2Key'");
        var sql = (string)(await lookup.ExecuteScalarAsync(cancellationToken))!;
        var watch = Stopwatch.StartNew();
        await using var command = _source.CreateCommand(sql);
        command.Parameters.AddWithValue("ServiceId", serviceId);
        command.Parameters.AddWithValue("BeginHash", 0);
        command.Parameters.AddWithValue("EndHash", 0);
        long rows = 0;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows++;
            }
        }

        return (rows, watch.Elapsed);
    }

    public async ValueTask DisposeAsync()
    {
        await _source.DisposeAsync();
        await BenchServer.DropDatabaseAsync(_server, Name);
    }
}
