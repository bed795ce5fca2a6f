using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrimeDirective.Bench;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Grains.Storage;

// KEK rotation at scale: N data keys under KEK 1 in a fresh key-store database, then version 2 made active and every key
// re-wrapped by the service's own KekRotation (unthrottled passes), while writers keep creating new subjects' keys (the
// key store's share of ingest). Prints the re-wrap time and the ingest rate during it as a ratio to the rate measured
// alone in the same run. Not a test: usage `dotnet run -c Release --project bench/KekRotationBench -- [keys] [writers]`.
var keys = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var writers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
var server = await BenchServer.ResolveAsync(CancellationToken.None);
var name = await BenchServer.CreateDatabaseAsync(server, "pd_kekbench", CancellationToken.None);
var connectionString = BenchServer.ConnectionString(server, name);
Console.WriteLine($"machine: {Machine.Describe()}; load average at start {Machine.LoadAverage()}");
try
{
    await new SchemaMigrator(NullLogger<SchemaMigrator>.Instance).ApplyKeyStoreAsync(connectionString, CancellationToken.None);
    var (kek1, kek2) = (Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
    var before = Keks(("1", kek1));
    var after = Keks(("1", kek1), ("2", kek2));
    var rows = new PostgresKeyRows(connectionString);
    using var meterServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
    var keyMetrics = new KeyMetrics(meterServices.GetRequiredService<IMeterFactory>(), new KeyCache(Options.Create(new KeyStoreOptions()), TimeProvider.System));
    var kekRows = new PostgresKekRows(connectionString);
    var clock = new PolicyClock(TimeProvider.System);
    await new KekRotation(kekRows, before, clock, Options.Create(new KekRotationOptions()), NullLogger<KekRotation>.Instance).StartAsync();

    // N keys under version 1, made the way the service makes them (one per subject), by the writers in parallel.
    var load = Stopwatch.StartNew();
    await Parallel.ForAsync(0, keys, new ParallelOptions { MaxDegreeOfParallelism = writers }, async (i, _) =>
        await new KeyStore(rows, before, TimeProvider.System, keyMetrics).CurrentAsync($"bench/{i}"));
    Console.WriteLine($"{keys} data keys created under KEK 1 in {load.Elapsed.TotalSeconds:F1} s");

    // The ceiling: new subjects' keys per second with no rotation running, for a fixed time.
    var store = new KeyStore(rows, after, TimeProvider.System, keyMetrics);
    var ceiling = await IngestAsync(store, writers, "ceiling", () => Task.Delay(TimeSpan.FromSeconds(10)));
    Console.WriteLine($"ingest alone: {ceiling:F0} keys/s");

    // Version 2 active: the service's own start records it, then passes re-wrap until nothing is left under version 1.
    var options = Options.Create(new KekRotationOptions { RewrapBatchSize = 500 });
    var rotation = new KekRotation(kekRows, after, clock, options, NullLogger<KekRotation>.Instance);
    await rotation.StartAsync();
    var rewrap = Stopwatch.StartNew();
    var during = await IngestAsync(store, writers, "during", async () =>
    {
        while (await rotation.RunOnceAsync() > 0)
        {
            await Task.Yield();
        }
    });
    rewrap.Stop();
    var status = await rotation.StatusAsync();
    Console.WriteLine($"re-wrap of {keys} data keys: {rewrap.Elapsed.TotalSeconds:F1} s ({keys / rewrap.Elapsed.TotalSeconds:F0} keys/s), {status.Remaining} left under another version");
    Console.WriteLine($"ingest during the re-wrap: {during:F0} keys/s, ratio to ingest alone {during / ceiling:F2}");
    Console.WriteLine($"load average at end {Machine.LoadAverage()}");
    return status.Remaining == 0 ? 0 : 1;
}
finally
{
    await BenchServer.DropDatabaseAsync(server, name);
}

static KeyEncryptionKeys Keks(params (string Version, string Key)[] keks) =>
    new(Options.Create(new KeyStoreOptions { Keks = keks.ToDictionary(kek => kek.Version, kek => kek.Key) }), mayDrawRandom: false);

// New subjects' keys per second from `writers` parallel writers while `window` runs.
static async Task<double> IngestAsync(KeyStore store, int writers, string label, Func<Task> window)
{
    var created = 0L;
    using var stop = new CancellationTokenSource();
    var clock = Stopwatch.StartNew();
    var workers = Enumerable.Range(0, writers).Select(writer => Task.Run(async () =>
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            await store.CurrentAsync($"{label}/{writer}/{i}");
            Interlocked.Increment(ref created);
        }
    })).ToList();
    await window();
    await stop.CancelAsync();
    await Task.WhenAll(workers);
    return Interlocked.Read(ref created) / clock.Elapsed.TotalSeconds;
}
