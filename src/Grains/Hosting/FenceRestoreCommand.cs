using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Interfaces.Regions;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Hosting;

/// <summary>
/// <c>src/Silo -- restore-fences [--since &lt;backup time&gt;]</c>: run after restoring a region database or the key store,
/// before any silo starts on it. Reads the same configuration as a silo (appsettings, <c>PD_</c> environment, arguments,
/// <c>Secrets:Directory</c>): the databases, the KEKs and <c>Keys:FenceLog</c>.
/// </summary>
public static class FenceRestoreCommand
{
    /// <summary>The subcommand's name.</summary>
    public const string Name = "restore-fences";

    /// <summary>Applies the fence log to the restored databases; answers the process's exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var configuration = SiloHost.ConfigurationOf(args).Configuration;
        DateTimeOffset? since = configuration["since"] is { Length: > 0 } text
            ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
            : null;
        // An offline run exports nothing: its meters only satisfy the key store, which always records.
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var restore = await CreateAsync(configuration, TimeProvider.System, services.GetRequiredService<IMeterFactory>());
        var result = await restore.RunAsync(since);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"restore-fences: {result.Fences} fence(s) since {(since is { } at ? at.ToString("O", CultureInfo.InvariantCulture) : "the log's start")}; "
            + $"{result.KeysDestroyed} key(s) destroyed again, {result.RowsDeleted} row(s) deleted again, {result.Resealed} held value(s) re-sealed"));
        return 0;
    }

    /// <summary>The restore over the databases, KEKs and fence log <paramref name="configuration"/> names; migrates both databases first.</summary>
    public static async Task<FenceRestore> CreateAsync(IConfiguration configuration, TimeProvider time, IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connectionString = configuration.GetConnectionString(SiloConfiguration.ConnectionStringName) is { Length: > 0 } data
            ? data
            : throw new InvalidOperationException("restore-fences needs ConnectionStrings:PrimeDirective (the restored region database).");
        var keyStore = configuration.GetConnectionString(KeyStoreOptions.ConnectionStringName) is { Length: > 0 } keys
            ? keys
            : throw new InvalidOperationException("restore-fences needs ConnectionStrings:KeyStore (the restored key store).");
        var regions = configuration.GetSection(RegionOptions.SectionName).Get<RegionOptions>() ?? new RegionOptions();
        var databases = regions.Configured.ToDictionary(
            region => region,
            region => configuration[$"{RegionOptions.SectionName}:Databases:{region}"] is { Length: > 0 } own ? own : connectionString,
            StringComparer.Ordinal);

        // A backup taken before a migration lacks its tables (key_fences among them): bring both up to date first.
        var migrator = new SchemaMigrator(NullLogger<SchemaMigrator>.Instance);
        foreach (var database in databases.Values.Distinct(StringComparer.Ordinal))
        {
            await migrator.ApplyAsync(database, CancellationToken.None);
        }

        await migrator.ApplyKeyStoreAsync(keyStore, CancellationToken.None);
        var options = Options.Create(configuration.GetSection(KeyStoreOptions.SectionName).Get<KeyStoreOptions>() ?? new KeyStoreOptions());
        var rows = new PostgresKeyRows(keyStore);
        var cache = new KeyCache(options, time);
        var sealer = new Sealer(new KeyStore(rows, new KeyEncryptionKeys(options, mayDrawRandom: false), time, new KeyMetrics(meters, cache)), cache);
        var regionDatabases = new RegionDatabases(databases);
        return new FenceRestore(
            KeyStoreRegistration.FenceLogOf(configuration, durable: true), rows, new PostgresDestructionLedger(regionDatabases), regionDatabases,
            new ReportAddressSealing(sealer, NullLogger<ReportAddressSealing>.Instance), time);
    }
}
