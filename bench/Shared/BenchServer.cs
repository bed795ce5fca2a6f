using System.Diagnostics;
using Npgsql;

namespace PrimeDirective.Bench;

/// <summary>The PostgreSQL server a bench runs on, and fresh databases on it: created per run, dropped afterwards.</summary>
internal static class BenchServer
{
    /// <summary>
    /// The server's base connection string (no database): <c>PD_BENCH_PG</c>, else the last line of
    /// <c>bash scripts/postgres.sh</c>, which installs and starts a local PostgreSQL when needed.
    /// </summary>
    public static async Task<string> ResolveAsync(CancellationToken cancellationToken)
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

    /// <summary>Creates database <c>{prefix}_{guid}</c> on <paramref name="server"/> and returns its name.</summary>
    public static async Task<string> CreateDatabaseAsync(string server, string prefix, CancellationToken cancellationToken)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(Admin(server));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"create database \"{name}\"", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return name;
    }

    /// <summary>Drops <paramref name="name"/>, closing whatever sessions still use it.</summary>
    public static async Task DropDatabaseAsync(string server, string name)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Admin(server));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"drop database if exists \"{name}\" with (force)", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The connection string of database <paramref name="name"/> on <paramref name="server"/>.</summary>
    public static string ConnectionString(string server, string name) =>
        new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;

    /// <summary>The directory holding <c>Actors.sln</c>, found from the working directory or the binaries'.</summary>
    public static string RepositoryRoot()
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

    private static string Admin(string server) =>
        new NpgsqlConnectionStringBuilder(server) { Database = "postgres" }.ConnectionString;
}
