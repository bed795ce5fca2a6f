using System.Globalization;
using Npgsql;
using PrimeDirective.Bench;

namespace PrimeDirective.IngestBench;

/// <summary>
/// The one PostgreSQL server every figure of a run uses. By default a private one (initdb into a temporary directory
/// on the same disk, Debian's binaries and defaults, loopback only): other people's tests on the machine's shared
/// server write WAL too, and figure 5 reads the server-wide WAL position.
/// </summary>
internal sealed class BenchPostgres : IAsyncDisposable
{
    private const string PostgresUser = "postgres";
    private readonly string? _directory;
    private readonly string? _binaries;

    private BenchPostgres(string server, string? directory, string? binaries)
    {
        Server = server;
        _directory = directory;
        _binaries = binaries;
    }

    /// <summary>Base connection string, without a database.</summary>
    public string Server { get; }

    /// <summary>The private server's postmaster process id (its backends are its children); <c>null</c> for a shared server.</summary>
    public int? PostmasterPid =>
        _directory is not null && File.Exists(Path.Combine(_directory, "postmaster.pid"))
            ? int.Parse(File.ReadLines(Path.Combine(_directory, "postmaster.pid")).First(), CultureInfo.InvariantCulture)
            : null;

    /// <summary>Whether the server is the bench's alone (so its WAL is the bench's alone).</summary>
    public bool IsPrivate => _directory is not null;

    public static async Task<BenchPostgres> StartAsync(ServerKind kind, CancellationToken cancellationToken)
    {
        if (kind == ServerKind.Shared)
        {
            return new BenchPostgres(await BenchServer.ResolveAsync(cancellationToken), directory: null, binaries: null);
        }

        var binaries = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(version => Path.Combine(version, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")))
                .OrderBy(bin => Version.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var version) ? version : new Version(0, 0))
                .LastOrDefault()
            : null;
        if (binaries is null)
        {
            throw new InvalidOperationException("No PostgreSQL binaries under /usr/lib/postgresql: run `bash scripts/postgres.sh` once, or use --server shared.");
        }

        var directory = Path.Combine(Path.GetTempPath(), $"pd-ingest-pg-{Guid.NewGuid():N}");
        var port = BenchPorts.Next();
        await Commands.RunAsync(
            Path.Combine(binaries, "initdb"),
            ["-D", directory, "-U", PostgresUser, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"],
            cancellationToken,
            PostgresUser);
        var server = new BenchPostgres($"Host=127.0.0.1;Port={port};Username={PostgresUser}", directory, binaries);
        try
        {
            // As the machine's server is set up by scripts/postgres.sh (max_connections 300), otherwise initdb's defaults.
            var settings = string.Create(
                CultureInfo.InvariantCulture,
                $"-p {port} -c listen_addresses=127.0.0.1 -k {directory} -c max_connections=300");
            await Commands.RunAsync(
                Path.Combine(binaries, "pg_ctl"),
                ["-D", directory, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "120", "-o", settings, "start"],
                cancellationToken,
                PostgresUser);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>The server's version, as it says it.</summary>
    public async Task<string> VersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(BenchServer.ConnectionString(Server, "postgres"));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("show server_version", connection);
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_directory is null || _binaries is null)
        {
            return;
        }

        try
        {
            if (File.Exists(Path.Combine(_directory, "postmaster.pid")))
            {
                // pg_ctl stops the server by the PID in its own postmaster.pid.
                await Commands.RunAsync(Path.Combine(_binaries, "pg_ctl"), ["-D", _directory, "-m", "fast", "-w", "stop"], CancellationToken.None, PostgresUser);
            }
        }
        finally
        {
            if (Directory.Exists(_directory))
            {
                Directory.Delete(_directory, recursive: true);
            }
        }
    }
}
