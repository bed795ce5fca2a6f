using System.Diagnostics;
using Npgsql;

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
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        _source = NpgsqlDataSource.Create(ConnectionString);
    }

    public string Name { get; }

    public string ConnectionString { get; }

    /// <summary>
    /// The server's base connection string (no database): <c>PD_BENCH_PG</c>, else the last line of
    /// <c>bash scripts/postgres.sh</c>, which installs and starts a local PostgreSQL when needed.
    /// </summary>
    public static async Task<string> ResolveServerAsync(CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable("PD_BENCH_PG") is { Length: > 0 } configured)
        {
            return configured;
        }

        var start = new ProcessStartInfo("bash", ["scripts/postgres.sh"])
        {
            WorkingDirectory = RepositoryRoot(),
            RedirectStandardOutput = true,
        };
        using var script = Process.Start(start) ?? throw new InvalidOperationException("Could not run scripts/postgres.sh.");
        var output = await script.StandardOutput.ReadToEndAsync(cancellationToken);
        await script.WaitForExitAsync(cancellationToken);
        if (script.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/postgres.sh exited with {script.ExitCode}.");
        }

        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
    }

    public static async Task<BenchDatabase> CreateAsync(string server, CancellationToken cancellationToken)
    {
        var name = $"pdb_retention_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(Admin(server)))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"create database \"{name}\"", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return new BenchDatabase(server, name);
    }

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
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Admin(_server));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"drop database if exists \"{Name}\" with (force)", connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string Admin(string server) =>
        new NpgsqlConnectionStringBuilder(server) { Database = "postgres" }.ConnectionString;

    private static string RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Actors.sln")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new InvalidOperationException("Run the bench inside the repository, or set PD_BENCH_PG to a base connection string.");
    }
}
