using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace PrimeDirective.Tests.Infrastructure;

/// <summary>The PostgreSQL install's own tools (<c>pg_dump</c>, <c>pg_restore</c>, <c>initdb</c>...), as an operator runs them.</summary>
public static class PostgresTools
{
    /// <summary>The newest installed version's binary <paramref name="name"/> (scripts/postgres.sh installs Debian's PostgreSQL).</summary>
    public static string Binary(string name) =>
        Directory.GetFiles("/usr/lib/postgresql", name, SearchOption.AllDirectories).OrderDescending(StringComparer.Ordinal).FirstOrDefault() ?? name;

    /// <summary>A backup of <paramref name="database"/> as an operator takes it: <c>pg_dump</c> in the custom format, to a file.</summary>
    public static async Task<string> DumpAsync(TestDatabase database)
    {
        var file = Path.Combine(Path.GetTempPath(), $"pd-backup-{database.Name}-{Guid.NewGuid():N}.dump");
        await RunAsync("pg_dump", database, "-Fc", "-f", file);
        return file;
    }

    /// <summary>Restores the backup <paramref name="dump"/> into a fresh database (dropped on dispose), as a restore would.</summary>
    public static async Task<TestDatabase> RestoreAsync(string dump, string purpose)
    {
        var restored = await TestDatabase.CreateAsync(purpose);
        await RunAsync("pg_restore", restored, "--no-owner", "--exit-on-error", dump);
        return restored;
    }

    /// <summary>Runs <paramref name="tool"/> against <paramref name="database"/> (host, port, user, database from its connection string); fails the test on a non-zero exit.</summary>
    public static async Task RunAsync(string tool, TestDatabase database, params string[] arguments)
    {
        var builder = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        var start = new ProcessStartInfo(Binary(tool)) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-h", builder.Host!, "-p", builder.Port.ToString(CultureInfo.InvariantCulture), "-U", builder.Username!, "-d", builder.Database! }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PGPASSWORD"] = builder.Password;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await output;
        Assert.True(process.ExitCode == 0, $"{tool} failed: {await error}");
    }
}
