using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PrimeDirective.Bench;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Notices;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.NoticeBench;

// A breach covering N people of one region: time until every notice is written (recorded and its email in the
// outbox), peak working set, outbox throughput, and the extra cost of a silo killed half-way. Rounds alternate
// plain and killed; a raw INSERT ceiling is measured in the same run. Usage: NoticeBench [people] [rounds].
var people = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
var server = await BenchServer.ResolveAsync(CancellationToken.None);
var database = await BenchServer.CreateDatabaseAsync(server, "pd_notice_bench", CancellationToken.None);
var outbox = Path.Combine(Path.GetTempPath(), $"pd-notice-bench-{Guid.NewGuid():N}");
Console.WriteLine($"# NoticeBench: {people} people in eu, {rounds} round(s) of each kind; {Machine.Describe()}");
try
{
    var connectionString = BenchServer.ConnectionString(server, database);
    await using var silos = new NoticeSilos(connectionString, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), outbox);
    await silos.StartAsync();
    await silos.StartAsync();

    var seeding = Stopwatch.StartNew();
    var grains = silos.Running[0].Services.GetRequiredService<IGrainFactory>();
    var keys = silos.Running[0].Services.GetRequiredService<UserKeys>();
    await Parallel.ForEachAsync(Enumerable.Range(0, people), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
    {
        var userId = SubjectIds.New("eu");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Creating is idempotent: on a loaded machine a call may outlive the silos' 3.5 s response timeout.
                await grains.GetGrain<IUserGrain>(keys.ForUser(userId)).CreateAsync(new NewAccount(userId, $"p{i}@bench.invalid", $"Person {i}", new DateOnly(1980, 1, 1)));
                break;
            }
            catch (TimeoutException) when (attempt < 5)
            {
            }
        }
    });
    Console.WriteLine($"seeded {people} accounts in {seeding.Elapsed.TotalSeconds:0.0} s");

    var ceiling = await InsertCeilingAsync(connectionString);
    Console.WriteLine($"ceiling: {ceiling:0} single-row INSERTs/s from 16 connections");
    Console.WriteLine("| round | kind | notices written (s) | notices/s | ÷ ceiling | outbox emails/s | peak working set (MB) | emails beyond one each | CPU per notice: silos / PostgreSQL (ms) |");
    Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    var results = new List<(bool Killed, double Seconds)>();
    var emailsBefore = 0;
    for (var round = 1; round <= rounds; round++)
    {
        foreach (var killed in new[] { false, true })
        {
            var grainsNow = silos.Running[0].Services.GetRequiredService<IGrainFactory>();
            var id = Guid.NewGuid().ToString("N");
            var now = DateTimeOffset.UtcNow;
            var campaign = new NoticeCampaign(id, NoticeKind.Breach, ["eu"], [DataCategory.Account], now.AddHours(-1), now.AddHours(1),
                "Security breach notice", "Bench breach. What you should do: nothing.", now, "bench", "nothing");
            GC.Collect();
            var baseline = Environment.WorkingSet;
            var peak = baseline;
            var siloCpu = Process.GetCurrentProcess().TotalProcessorTime;
            var databaseCpu = await BackendCpuAsync(connectionString);
            var clock = Stopwatch.StartNew();
            await grainsNow.GetGrain<INoticeCampaignGrain>(NoticeKeys.Campaign("eu", id)).StartAsync(campaign, "bench");
            var killDone = !killed;
            double firstEmail = -1;
            while (true)
            {
                peak = Math.Max(peak, Environment.WorkingSet);
                var emails = Directory.Exists(outbox) ? Directory.EnumerateFiles(outbox, "*.eml").Count() - emailsBefore : 0;
                if (emails > 0 && firstEmail < 0)
                {
                    firstEmail = clock.Elapsed.TotalSeconds;
                }

                if (!killDone && emails >= people / 2 && silos.FanoutHost is { } host && silos.Running.Contains(host))
                {
                    await silos.KillAsync(host);
                    await silos.StartAsync();
                    killDone = true;
                }

                if (emails >= people)
                {
                    break;
                }

                await Task.Delay(200);
            }

            var seconds = clock.Elapsed.TotalSeconds;
            var siloMs = (Process.GetCurrentProcess().TotalProcessorTime - siloCpu).TotalMilliseconds / people;
            var databaseAfter = await BackendCpuAsync(connectionString);
            var databaseMs = databaseAfter.Sum(backend => backend.Value - databaseCpu.GetValueOrDefault(backend.Key)) * 10.0 / people;
            var status = await Eventually(() => silos.Running[0].Services.GetRequiredService<IGrainFactory>()
                .GetGrain<INoticeCampaignGrain>(NoticeKeys.Campaign("eu", id)).GetAsync());
            var total = Directory.EnumerateFiles(outbox, "*.eml").Count();
            var extra = total - emailsBefore - people;
            emailsBefore = total;
            results.Add((killed, seconds));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {round} | {(killed ? "silo killed half-way" : "plain")} | {seconds:0.0} | {people / seconds:0} | {people / seconds / ceiling:0.00} | {people / (seconds - firstEmail):0} | {(peak - baseline) / 1e6:0} (+ {baseline / 1e6:0} before) | {extra} (notified: {status.Progress.Notified}) | {siloMs:0.00} / {databaseMs:0.00} |"));
        }
    }

    var plain = Median(results.Where(result => !result.Killed).Select(result => result.Seconds));
    var withKill = Median(results.Where(result => result.Killed).Select(result => result.Seconds));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median plain {plain:0.0} s, median with a kill {withKill:0.0} s: resuming cost {withKill - plain:0.0} s ({withKill / plain:0.00}×)"));
}
finally
{
    await BenchServer.DropDatabaseAsync(server, database);
    if (Directory.Exists(outbox))
    {
        Directory.Delete(outbox, recursive: true);
    }
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

static async Task<NoticeStatus> Eventually(Func<Task<NoticeStatus?>> read)
{
    while (true)
    {
        if (await read() is { Progress.Done: true } status)
        {
            return status;
        }

        await Task.Delay(200);
    }
}

// CPU ticks (1/100 s) of each PostgreSQL backend connected to the bench's database, from /proc (same machine): a backend
// that leaves during a round takes its ticks with it, so the PostgreSQL figure is a floor (the pools keep theirs open).
static async Task<Dictionary<int, long>> BackendCpuAsync(string connectionString)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand("select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()", connection);
    var ticks = new Dictionary<int, long>();
    await using var reader = await command.ExecuteReaderAsync();
    while (await reader.ReadAsync())
    {
        var pid = reader.GetInt32(0);
        try
        {
            // Fields 14 and 15 (utime, stime) after the command name, which ends at the last ')'.
            var stat = await File.ReadAllTextAsync($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            ticks[pid] = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            // The backend left meanwhile.
        }
    }

    return ticks;
}

// Single-row durable INSERTs of a ~200-byte row from 16 connections for 5 s: the machine's ceiling for one write each.
static async Task<double> InsertCeilingAsync(string connectionString)
{
    await using (var connection = new NpgsqlConnection(connectionString))
    {
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand("create table if not exists bench_ceiling (id bigserial primary key, payload text not null)", connection);
        await create.ExecuteNonQueryAsync();
    }

    var payload = new string('x', 200);
    var until = Stopwatch.StartNew();
    var counts = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var count = 0;
        while (until.Elapsed < TimeSpan.FromSeconds(5))
        {
            await using var insert = new NpgsqlCommand("insert into bench_ceiling (payload) values (@payload)", connection);
            insert.Parameters.AddWithValue("payload", payload);
            await insert.ExecuteNonQueryAsync();
            count++;
        }

        return count;
    }));
    return counts.Sum() / until.Elapsed.TotalSeconds;
}
