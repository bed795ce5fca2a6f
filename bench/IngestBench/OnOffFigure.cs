using System.Globalization;

namespace PrimeDirective.IngestBench;

/// <summary>
/// A figure that compares the durable ingest of figure 2 with one thing on and off (sealing, telemetry): two runs back to
/// back in the same round, each on a fresh database and a fresh gateway, in an order that alternates with the round (on
/// first in odd rounds, off first in even ones), so neither side always runs on the warmer machine. The ratio is per
/// round; the table's median is the median of the rounds' ratios.
/// </summary>
/// <param name="Figure">The figure's name in the table and in <c>--figures</c>.</param>
/// <param name="On">What "on" is (the service as shipped).</param>
/// <param name="Off">What "off" is.</param>
/// <param name="Create">A fresh run's settings and checks, on or off.</param>
internal sealed record OnOffFigure(string Figure, string On, string Off, string Target, Func<double, bool> Meets, Func<bool, IngestPhases> Create)
{
    /// <summary>Both runs of <paramref name="round"/>; their ratio on ÷ off, or NaN if either failed (the exception says why).</summary>
    public async Task<double> RunAsync(BenchPostgres postgres, IngestOptions options, FigureTable table, int round, CancellationToken cancellationToken)
    {
        var results = new Dictionary<bool, IngestResult>();
        bool[] order = round % 2 == 0 ? [true, false] : [false, true];
        foreach (var on in order)
        {
            Progress.Log($"round {round + 1}/{options.Rounds}: {Figure} {(on ? "on" : "off")}");
            var phases = Create(on);
            try
            {
                results[on] = await IngestRun.RunAsync(postgres, durable: true, options, options.Window, during: null, cancellationToken, phases);
            }
            finally
            {
                await phases.DisposeAsync();
            }

            table.Note($"{Figure}, run {round + 1}, {(on ? "on" : "off")}: {phases.Report}");
        }

        var (shipped, without) = (results[true], results[false]);
        table[Figure, $"durable ingest, {On}: req/s", "0"].Set(round, shipped.Window.Rate);
        table[Figure, $"durable ingest, {Off}: req/s", "0"].Set(round, without.Window.Rate);
        var ratio = shipped.Window.Rate / without.Window.Rate;
        table[Figure, "ratio on ÷ off", "0.00", Target, Meets].Set(round, ratio);
        table[Figure, "(p99 latency on, ms)", "0.0"].Set(round, shipped.Window.Percentile(0.99));
        table[Figure, "(p99 latency off, ms)", "0.0"].Set(round, without.Window.Percentile(0.99));
        table[Figure, "(first report of each cluster, req/s: on ÷ off)", "0.00"].Set(round, shipped.First.Rate / without.First.Rate);
        table[Figure, "(CPU per request, gateway process, ms: on ÷ off)", "0.00"]
            .Set(round, shipped.Cpu.Gateway / shipped.Window.Rate / (without.Cpu.Gateway / without.Window.Rate));
        table[Figure, "(requests not answered 200; errors the gateway logged: both runs)", "0"]
            .Set(round, results.Values.Sum(result => result.Window.Failed + result.First.Failed + result.LoggedErrors));
        table.Note(string.Create(
            CultureInfo.InvariantCulture,
            $"{Figure}, run {round + 1}: {(order[0] ? "on" : "off")} ran first; cores used in the window on / off: gateway {shipped.Cpu.Gateway:0.00} / {without.Cpu.Gateway:0.00}, PostgreSQL {shipped.Cpu.Postgres:0.00} / {without.Cpu.Postgres:0.00}, rest of the machine {shipped.Cpu.Rest:0.00} / {without.Cpu.Rest:0.00}"));
        foreach (var (on, result) in results)
        {
            if (result.FirstFailure is { } first)
            {
                table.Note($"{Figure}, run {round + 1}, {(on ? "on" : "off")}: first failure: {first}");
            }
        }

        return ratio;
    }
}
