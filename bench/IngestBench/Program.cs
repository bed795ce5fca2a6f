using System.Globalization;
using System.Runtime.InteropServices;
using PrimeDirective.Bench;
using PrimeDirective.IngestBench;

// Issue 11's ingest figures in one run, on one PostgreSQL: the raw INSERT ceiling, durable and in-memory Flynn ingest
// over real HTTP, the cost of history held, WAL per report, retention under overlapping expiry waves. Each figure runs
// once per round, the rounds alternate the figures, and the table gives each run and the median.
// Not a test (scripts/test.sh never runs it); results and how to reproduce them are in docs/BENCHMARKS.md.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
IngestOptions options;
try
{
    options = IngestOptions.Parse(args);
}
catch (ArgumentException invalid)
{
    Console.Error.WriteLine(invalid.Message);
    return 2;
}

using var cancellation = new CancellationTokenSource();

// Ctrl+C, kill and the like end the run the orderly way: the gateway stopped, the databases and the private server gone.
void Stop(PosixSignalContext signal)
{
    signal.Cancel = true;
    cancellation.Cancel();
}

using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, Stop);
var token = cancellation.Token;

var header = new List<string>
{
    $"machine: {Machine.Describe()}; load average at start {Machine.LoadAverage()}",
    $"options: {string.Join(' ', args)}".TrimEnd(),
};
var table = new FigureTable(options.Rounds);
var failed = false;
var profile = string.Empty;
var wall = System.Diagnostics.Stopwatch.StartNew();
var measuredMaximum = double.NaN;
await using (var postgres = await BenchPostgres.StartAsync(options.Server, token))
{
    header.Add($"PostgreSQL {await postgres.VersionAsync(token)}, {(postgres.IsPrivate ? "the bench's own server (initdb defaults, max_connections 300)" : "the shared server")}");
    var firstReportRates = new List<double>();
    var retentionRates = new List<double>();
    for (var round = 0; round < options.Rounds && !token.IsCancellationRequested; round++)
    {
        var raw = double.NaN;
        var durable = double.NaN;
        if (options.Figures.HasFlag(Figures.Raw))
        {
            raw = await MeasureAsync("raw ceiling", round, async () =>
            {
                await using var database = await BenchDatabase.CreateAsync(postgres.Server, token);
                var result = await RawInserts.RunAsync(database.ConnectionString, options.RawConnections, options.Window, token);
                table["1", $"raw ceiling: single-row INSERTs, {options.RawConnections} connections, rows/s", "0"].Set(round, result.Rate);
                table["1", "row size, bytes (tuple header included)", "0"].Set(round, result.RowBytes);
                table["1", "WAL bytes per row", "0"].Set(round, result.WalBytesPerRow);
                return result.Rate;
            });
        }

        if (options.Figures.HasFlag(Figures.Durable) || options.Figures.HasFlag(Figures.First))
        {
            durable = await MeasureAsync("durable ingest", round, async () =>
            {
                await using var keys = options.Figures.HasFlag(Figures.First) ? new KeyCacheWatch() : null;
                var result = await IngestRun.RunAsync(postgres, durable: true, options, options.Window, during: null, token, keys);
                Ingest(round, "2", $"durable ingest, {options.Clusters:N0} clusters, {options.Clients} clients", result);
                firstReportRates.Add(result.First.Rate);
                keys?.Record(table, round, result);
                return result.Window.Rate;
            });
            table["3", "ratio 2 ÷ 1", "0.00", "≥ 1.0 (≥ 0.6 before the hot path is lean)", ratio => ratio >= 1.0].Set(round, durable / raw);
        }

        if (options.Figures.HasFlag(Figures.Memory))
        {
            var memory = await MeasureAsync("in-memory ingest", round, async () =>
            {
                var result = await IngestRun.RunAsync(postgres, durable: false, options, options.Window, during: null, token);
                Ingest(round, "7", $"in-memory ingest, same load", result);
                return result.Window.Rate;
            });
            table["7", "durable ÷ in-memory (2 ÷ 7)", "0.00", "≥ 0.7", ratio => ratio >= 0.7].Set(round, durable / memory);
        }

        if (options.Figures.HasFlag(Figures.Held))
        {
            await MeasureAsync("history held", round, async () =>
            {
                var result = await HeldHistory.RunAsync(postgres, options, token);
                var clusters = $"{options.HeldClusters} clusters";
                table["4", $"rate, each of {clusters} holding 1 (→ {1 + options.HeldBatch}), reports/s", "0"].Set(round, result.Low.Rate);
                table["4", $"rate, each of {clusters} holding {options.Held} (→ {options.Held + options.HeldBatch}), reports/s", "0"].Set(round, result.High.Rate);
                table["4", $"ratio {options.Held} ÷ 1", "0.00", "≥ 0.9", ratio => ratio >= 0.9].Set(round, result.High.Rate / result.Low.Rate);
                table["5", "WAL bytes per report, 1 held", "0"].Set(round, result.Low.WalBytesPerReport);
                table["5", $"WAL bytes per report, {options.Held} held", "0"].Set(round, result.High.WalBytesPerReport);
                table["5", $"ratio {options.Held} ÷ 1", "0.00", "0.9 – 1.1 (equal within 10 %)", ratio => ratio is >= 0.9 and <= 1.1]
                    .Set(round, result.High.WalBytesPerReport / result.Low.WalBytesPerReport);
                table["4", $"(filling up: reports/s while going from 0 to {options.Held} held)", "0"].Set(round, result.FillRate);
                table["4", "(database size at the end, MiB)", "0.0"].Set(round, result.DatabaseBytes / 1024d / 1024d);
                table["4", "(requests not answered 200; errors the gateway logged)", "0"].Set(round, result.FailedRequests + result.LoggedErrors);
                return result.High.Rate;
            });
        }

        if (options.Figures.HasFlag(Figures.Retention))
        {
            // The last retention round's own ingest rate is the best guess for this one; before it, figure 2's first reports.
            var expected = options.RetentionRate > 0
                ? options.RetentionRate
                : retentionRates.LastOrDefault(FigureTable.Median(firstReportRates.Select(rate => (double?)rate)) ?? 400);
            await MeasureAsync("retention", round, async () =>
            {
                var result = await RetentionWaves.RunAsync(postgres, options, expected, token);
                retentionRates.Add(result.Ingest.Rate);
                var subjects = $"{options.Subjects:N0} subjects";
                table["6", $"lateness of the last destruction, s ({subjects})", "0.0", "< 70 s", lateness => lateness < 70]
                    .Set(round, result.Lateness?.TotalSeconds ?? double.PositiveInfinity);
                table["6", "pool exhaustion (log lines)", "0", "none", lines => lines == 0].Set(round, result.PoolExhaustedLines);
                table["6", "ingest of new subjects, /s (expiries at twice this in the overlap)", "0"].Set(round, result.Ingest.Rate);
                table["6", "overlap of the two waves, s", "0"].Set(round, result.Overlap.TotalSeconds);
                table["6", "drain span: first expiry → no row left, s", "0"].Set(round, result.DrainSpan.TotalSeconds);
                table["6", "(errors / warnings the gateway logged)", "0"].Set(round, result.LoggedErrors);
                table.Note(string.Create(
                    CultureInfo.InvariantCulture,
                    $"6, run {round + 1}: IP address kept {result.IpRetention:c}, raw report {result.ReportRetention:c}; each wave {result.WaveLength.TotalSeconds:0} s, overlapping {result.Overlap.TotalSeconds:0} s; " +
                    $"expiries began {(result.ExpiriesBeforeIngestEnded ? "before" : "after")} the ingest ended; rows written: {result.WrittenRows}; " +
                    $"{(result.Lateness is null ? $"NOT DONE: {result.Left} rows left {options.DrainTimeout:c} after the latest expiry ({result.LeftRows}); " : string.Empty)}" +
                    $"not counted at the end (expiry epoch keys): {(result.Uncounted.Length > 0 ? result.Uncounted : "none")}; " +
                    $"{result.LoggedErrors} errors, {result.LoggedWarnings} warnings logged{(result.FirstErrors.Count > 0 ? $", first: {result.FirstErrors[0]}" : string.Empty)}"));
                return result.Lateness?.TotalSeconds ?? double.NaN;
            });
        }

        foreach (var (figure, onOff) in new[] { (Figures.Sealing, SealingVariant.Figure), (Figures.Telemetry, TelemetryVariant.Figure) })
        {
            if (options.Figures.HasFlag(figure))
            {
                await MeasureAsync($"{onOff.Figure} on ÷ off", round, () => onOff.RunAsync(postgres, options, table, round, token));
            }
        }

        // The half-load figures take a minute or more each: by default only the last round has them (--half-load-rounds).
        var halfLoadRound = round >= options.Rounds - options.HalfLoadRounds;
        if (options.Figures.HasFlag(Figures.Erasure) && halfLoadRound)
        {
            await MeasureAsync("erasure under half-load", round, async () =>
            {
                var result = await ErasureUnderLoad.RunAsync(postgres, options, await MaximumRateAsync(postgres, round, durable), token);
                HalfLoadFigures.Erasure(table, round, result);
                return result.Levels[0].Result.Percentile(0.99);
            });
        }

        if (options.Figures.HasFlag(Figures.RetentionLoad) && halfLoadRound)
        {
            var expected = options.RetentionRate > 0
                ? options.RetentionRate
                : retentionRates.LastOrDefault(FigureTable.Median(firstReportRates.Select(rate => (double?)rate)) ?? 400);
            await MeasureAsync("retention under half-load", round, async () =>
            {
                var result = await RetentionWaves.RunAsync(postgres, options, expected, await MaximumRateAsync(postgres, round, durable) / 2, token);
                HalfLoadFigures.Retention(table, round, options, result);
                return result.Lateness?.TotalSeconds ?? double.NaN;
            });
        }

        // A failure late in a long run must not take the rounds already measured with it.
        var sofar = Output($"after round {round + 1} of {options.Rounds}");
        Progress.Log($"the table after round {round + 1}:{Environment.NewLine}{sofar}");
        if (options.Out is { } partial)
        {
            await File.WriteAllTextAsync(partial, sofar, CancellationToken.None);
        }
    }

    if (options.Profile is { } directory && !token.IsCancellationRequested)
    {
        await MeasureAsync("profile", 0, async () =>
        {
            profile = await Profiler.RunAsync(postgres, options, directory, token);
            return 0;
        });
    }
}

var output = Output("end");
Console.WriteLine(output);
if (options.Out is { } path)
{
    await File.WriteAllTextAsync(path, output);
}

return failed ? 1 : 0;

void Ingest(int round, string figure, string what, IngestResult result)
{
    table[figure, $"{what}: req/s", "0"].Set(round, result.Window.Rate);
    table[figure, "p50 latency, ms", "0.0"].Set(round, result.Window.Percentile(0.50));
    table[figure, "p99 latency, ms", "0.0"].Set(round, result.Window.Percentile(0.99));
    table[figure, "(first report of each cluster, new subjects: req/s)", "0"].Set(round, result.First.Rate);
    table[figure, "(CPU per request: gateway process, ms)", "0.00"].Set(round, result.Cpu.Gateway * 1000 / result.Window.Rate);
    table[figure, "(CPU per request: PostgreSQL server, ms)", "0.00"].Set(round, result.Cpu.Postgres * 1000 / result.Window.Rate);
    table.Note(string.Create(
        CultureInfo.InvariantCulture,
        $"{figure}, run {round + 1}: cores used in the window: gateway {result.Cpu.Gateway:0.00}, PostgreSQL {result.Cpu.Postgres:0.00}, load client {result.Cpu.Client:0.00}, rest of the machine {result.Cpu.Rest:0.00}"));
    table[figure, "(requests not answered 200; errors the gateway logged)", "0"].Set(round, result.Window.Failed + result.First.Failed + result.LoggedErrors);
    if (result.FirstFailure is { } first)
    {
        table.Note($"{figure}, run {round + 1}: first failure: {first}");
    }
}

// The half-load's reference: figure 2's window rate of this round, or (figure 2 not run) a short maximum measured once.
async Task<double> MaximumRateAsync(BenchPostgres postgres, int round, double durableOfRound)
{
    if (!double.IsNaN(durableOfRound))
    {
        return durableOfRound;
    }

    if (double.IsNaN(measuredMaximum))
    {
        Progress.Log($"round {round + 1}: figure 2 did not run; measuring the maximum durable rate for the half-load");
        var window = TimeSpan.FromSeconds(Math.Min(5, options.Window.TotalSeconds));
        measuredMaximum = (await IngestRun.RunAsync(postgres, durable: true, options, window, during: null, token)).Window.Rate;
        table.Note(string.Create(CultureInfo.InvariantCulture, $"half-load: figure 2 not run; maximum durable rate measured for {window.TotalSeconds:0} s: {measuredMaximum:0} req/s"));
    }

    return measuredMaximum;
}

// The header, the table so far and the profile; the last header line says when (after which round, or at the end).
string Output(string when)
{
    var now = string.Create(CultureInfo.InvariantCulture, $"wall time {wall.Elapsed.TotalMinutes:0.0} min; load average at {when} {Machine.LoadAverage()}");
    return string.Join(Environment.NewLine, header.Append(now).Select(line => $"- {line}")) + Environment.NewLine + Environment.NewLine + table.Render() +
        (profile.Length > 0 ? Environment.NewLine + "## Profile (not a measured round)" + Environment.NewLine + Environment.NewLine + profile : string.Empty);
}

// One figure of one round; a failure is a result too (its cells stay empty), and the other figures still run.
async Task<double> MeasureAsync(string name, int round, Func<Task<double>> measure)
{
    if (token.IsCancellationRequested)
    {
        return double.NaN;
    }

    Progress.Log($"round {round + 1}/{options.Rounds}: {name}");
    var loadAtStart = Machine.LoadAverage();
    try
    {
        return await measure();
    }
    catch (OperationCanceledException) when (token.IsCancellationRequested)
    {
        table.Note($"{name}, run {round + 1}: cancelled");
    }
    catch (Exception failure) when (failure is not OperationCanceledException)
    {
        failed = true;
        table.Note($"{name}, run {round + 1}: FAILED: {failure.GetType().Name}: {failure.Message.ReplaceLineEndings(" ")}");
        Progress.Log($"{name} failed: {failure}");
    }
    finally
    {
        table.Note($"{name}, run {round + 1}: load average {loadAtStart} at start, {Machine.LoadAverage()} at end");
    }

    return double.NaN;
}
