using System.Globalization;

namespace PrimeDirective.IngestBench;

/// <summary>Issue 21's half-load figures (8: erasure, 9: retention) as rows and notes of the run's table.</summary>
internal static class HalfLoadFigures
{
    public static void Erasure(FigureTable table, int round, ErasureResult result)
    {
        foreach (var (concurrency, erasures, unavailable, readable) in result.Levels)
        {
            var what = $"erasure of a person + {ErasureUnderLoad.ClustersPerPerson} linked clusters, {concurrency} concurrent, DELETE → completed";
            var (target, meets) = concurrency <= 10 ? ("< 1,000 ms", (Func<double, bool>?)(p99 => p99 < 1000)) : ("(< 1,000 ms is the goal)", null);
            table["8", $"{what}: p50, ms", "0"].Set(round, erasures.Percentile(0.50));
            table["8", $"{what}: p99, ms", "0", target, meets].Set(round, erasures.Percentile(0.99));
            table["8", $"{what}: max, ms", "0"].Set(round, erasures.SortedLatencyMs.Length == 0 ? double.NaN : erasures.SortedLatencyMs[^1]);
            table["8", $"{what}: n", "0"].Set(round, erasures.Ok);
            table["8", $"{what}: failed", "0"].Set(round, erasures.Failed);
            table["8", $"{what}: polls answered 503 (polled again)", "0"].Set(round, unavailable);
            table["8", $"{what}: linked clusters still readable after completed", "0", "none", count => count == 0].Set(round, readable);
            if (erasures.Failed > 0)
            {
                table.Note(string.Create(CultureInfo.InvariantCulture, $"8, run {round + 1}: {erasures.Failed} erasures at {concurrency} concurrent failed, first: {erasures.FirstFailure}"));
            }
        }

        HalfLoad(table, "8", round, result.HalfLoad, result.HalfLoadTarget);
        table["8", "(errors the gateway logged)", "0"].Set(round, result.LoggedErrors);
        if (result.FirstErrors.Count > 0)
        {
            table.Note($"8, run {round + 1}: first error logged: {result.FirstErrors[0]}");
        }
    }

    public static void Retention(FigureTable table, int round, IngestOptions options, RetentionResult result)
    {
        var subjects = $"{options.Subjects:N0} subjects";
        table["9", $"under half-load: lateness of the last destruction, s ({subjects})", "0.0", "< 70 s", lateness => lateness < 70]
            .Set(round, result.Lateness?.TotalSeconds ?? double.PositiveInfinity);
        table["9", "drain span: first expiry → no row left, s", "0"].Set(round, result.DrainSpan.TotalSeconds);
        table["9", "ingest of new subjects, /s", "0"].Set(round, result.Ingest.Rate);
        table["9", "overlap of the two waves, s", "0"].Set(round, result.Overlap.TotalSeconds);
        table["9", "pool exhaustion (log lines)", "0", "none", lines => lines == 0].Set(round, result.PoolExhaustedLines);
        if (result.HalfLoad is { } load)
        {
            HalfLoad(table, "9", round, load, result.HalfLoadTarget);
        }

        table["9", "(errors / warnings the gateway logged)", "0"].Set(round, result.LoggedErrors);
        table.Note(string.Create(
            CultureInfo.InvariantCulture,
            $"9, run {round + 1}: IP address kept {result.IpRetention:c}, raw report {result.ReportRetention:c}; each wave {result.WaveLength.TotalSeconds:0} s; " +
            $"subjects' rows written: {result.WrittenRows}; " +
            $"{(result.Lateness is null ? $"NOT DONE: {result.Left} subjects' rows left {options.DrainTimeout:c} after the latest expiry ({result.LeftRows}); " : string.Empty)}" +
            $"not counted at the end (expiry epoch keys, the half-load's rows): {(result.Uncounted.Length > 0 ? result.Uncounted : "none")}; " +
            $"{result.LoggedErrors} errors, {result.LoggedWarnings} warnings logged{(result.FirstErrors.Count > 0 ? $", first: {result.FirstErrors[0]}" : string.Empty)}"));
    }

    /// <summary>The background ingest's achieved rate beside its target: the reader's check that the half-load held.</summary>
    private static void HalfLoad(FigureTable table, string figure, int round, LoadResult load, double target)
    {
        table[figure, "half-load: target, req/s (half of the run's maximum)", "0"].Set(round, target);
        table[figure, "half-load: achieved, req/s", "0"].Set(round, load.Rate);
        table[figure, "half-load: achieved ÷ target", "0.00", "≥ 0.95", ratio => ratio >= 0.95].Set(round, load.Rate / target);
        table[figure, "half-load: p99 latency, ms", "0.0"].Set(round, load.Percentile(0.99));
        table[figure, "half-load: requests not answered 200", "0"].Set(round, load.Failed);
        if (load.Failed > 0)
        {
            table.Note(string.Create(CultureInfo.InvariantCulture, $"{figure}, run {round + 1}: half-load: {load.Failed} requests not answered 200, first: {load.FirstFailure}"));
        }
    }
}
