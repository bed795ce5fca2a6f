using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using PrimeDirective.Gateway.Http;
using PrimeDirective.Grains.Interfaces.Stats;

namespace PrimeDirective.Gateway.Stats;

/// <summary>
/// The public aggregates: <c>GET /v1/stats</c> (JSON, or CSV by Accept) and <c>GET /stats</c> (a page with SVG charts
/// drawn on the server). Only released days are ever read here, each released once after it closed: the raw counts
/// stay in the silo, and today is never shown.
/// </summary>
internal static class StatsEndpoints
{
    /// <summary>The noise every release carries.</summary>
    public const string Mechanism = "discrete-laplace";

    public static readonly string[] Metrics = ["versions", "hosts", "databases", "workloads"];

    public static IEndpointRouteBuilder MapStatsEndpoints(this IEndpointRouteBuilder routes)
    {
        var stats = routes.MapGroup(string.Empty).WithTags("Statistics").AllowAnonymous();
        stats.MapGet("/v1/stats", GetAsync)
            .WithSummary("Published aggregates of closed days, each released once with discrete Laplace noise (?from&to: yyyy-MM-dd, default the latest 30 released days; ?metric: versions, hosts, databases, workloads); JSON, or CSV with Accept: text/csv. Each day states its k, its ε per statistic and its δ.")
            .Produces<StatsAnswer>(StatusCodes.Status200OK, "application/json", "text/csv")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        stats.MapGet("/stats", PageAsync)
            .WithSummary("The published aggregates as a page with SVG charts drawn on the server (no script, no third-party assets), and each day's privacy budget.")
            .Produces<string>(StatusCodes.Status200OK, "text/html");
        return routes;
    }

    private static async Task<Results<Ok<StatsAnswer>, ContentHttpResult, ProblemHttpResult>> GetAsync(
        HttpContext context, IGrainFactory grains, string? from, string? to, string? metric)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var last = to is null ? null : RequestCheck.ParseDate(to);
        var first = from is null ? null : RequestCheck.ParseDate(from);
        if (to is not null && last is null)
        {
            errors["to"] = ["must be a date (yyyy-MM-dd)"];
        }

        if (from is not null && first is null)
        {
            errors["from"] = ["must be a date (yyyy-MM-dd)"];
        }

        if (first is { } f && last is { } l && (f > l || l.DayNumber - f.DayNumber >= StatsWindow.MaxDays))
        {
            errors["from"] = [$"must be on or before to, and at most {StatsWindow.MaxDays} days before it"];
        }

        if (metric is not null && !Metrics.Contains(metric, StringComparer.Ordinal))
        {
            errors["metric"] = [$"must be one of {string.Join(", ", Metrics)}"];
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var release = await grains.GetGrain<IStatsGrain>(0).PublishedAsync(first, last, metric);
        context.Response.Headers.CacheControl = "public, max-age=300";
        if (WantsCsv(context.Request))
        {
            context.Response.Headers["X-Stats-K"] = release.K.ToString(CultureInfo.InvariantCulture);
            // The weakest of the days included: the largest ε per day and δ.
            context.Response.Headers["X-Stats-Differential-Privacy"] = release.Days.IsEmpty
                ? string.Create(CultureInfo.InvariantCulture, $"{Mechanism}; epsilon-per-day={release.Epsilon}")
                : string.Create(CultureInfo.InvariantCulture, $"{Mechanism}; epsilon-per-day={release.Epsilon}; delta={release.Days.Max(day => day.Delta)}");
            return TypedResults.Content(Csv(release), "text/csv; charset=utf-8");
        }

        return TypedResults.Ok(StatsAnswer.Of(release));
    }

    private static async Task<ContentHttpResult> PageAsync(HttpContext context, IGrainFactory grains)
    {
        var release = await grains.GetGrain<IStatsGrain>(0).PublishedAsync(null, null, null);

        // No script, no third-party assets: nothing for a visitor's browser to fetch from anyone else.
        context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'";
        context.Response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.Content(StatsPage.Render(release), "text/html; charset=utf-8");
    }

    internal static bool WantsCsv(HttpRequest request) =>
        MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted) &&
        accepted.Any(media => media.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase) && media.Quality is not 0);

    /// <summary>One line per row, each with its day's k and the ε of the statistic each of its numbers belongs to.</summary>
    private static string Csv(StatsRelease release)
    {
        var budgets = release.Days.ToDictionary(day => day.Day, day => day.Budget.ToDictionary(entry => entry.Statistic, StringComparer.Ordinal));
        var csv = new StringBuilder("day,metric,bucket,clusters,apps,jobs,k,epsilon_clusters,epsilon_apps,epsilon_jobs\r\n");
        foreach (var row in release.Rows)
        {
            var budget = budgets[row.Day];
            var k = release.Days.First(day => day.Day == row.Day).K;
            double? apps = row.Apps is null ? null : budget[StatsStatistics.WorkloadApps].Epsilon;
            double? jobs = row.Jobs is null ? null : budget[StatsStatistics.WorkloadJobs].Epsilon;
            csv.Append(CultureInfo.InvariantCulture, $"{row.Day:yyyy-MM-dd},{row.Metric},{Field(row.Bucket)},{row.Clusters},{row.Apps},{row.Jobs},{k},")
                .Append(CultureInfo.InvariantCulture, $"{budget[StatsStatistics.OfClusters(row.Metric, row.Bucket)].Epsilon},{apps},{jobs}\r\n");
        }

        return csv.ToString();
    }

    /// <summary>RFC 4180 quoting, should a bucket ever hold a comma or a quote.</summary>
    private static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
}

/// <summary>A release as JSON: its range, how it was protected overall and day by day, and the rows.</summary>
internal sealed record StatsAnswer(string From, string To, int K, StatsNoise DifferentialPrivacy, IReadOnlyList<StatsAnswerRow> Rows, IReadOnlyList<StatsAnswerDay> Days)
{
    public static StatsAnswer Of(StatsRelease release) => new(
        Date(release.From),
        Date(release.To),
        release.K,
        new StatsNoise(release.DifferentialPrivacy, StatsEndpoints.Mechanism, release.Epsilon),
        [.. release.Rows.Select(row => new StatsAnswerRow(Date(row.Day), row.Metric, row.Bucket, row.Clusters, row.Apps, row.Jobs))],
        [.. release.Days.Select(day => new StatsAnswerDay(
            Date(day.Day), day.ReleasedAt, day.K, day.Epsilon, day.Delta,
            [.. day.Budget.Select(entry => new StatsAnswerStatistic(entry.Statistic, entry.Epsilon, entry.Sensitivity, entry.Threshold))]))]);

    private static string Date(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>Whether noise was added (always), by which mechanism, and the largest ε per day of the days included.</summary>
internal sealed record StatsNoise(bool Applied, string? Mechanism, double? Epsilon);

/// <summary>One published row.</summary>
internal sealed record StatsAnswerRow(string Day, string Metric, string Bucket, long Clusters, long? Apps, long? Jobs);

/// <summary>One released day: when, its k, its ε (the sum of its statistics'), its δ and each statistic's budget.</summary>
internal sealed record StatsAnswerDay(string Day, DateTimeOffset ReleasedAt, int K, double Epsilon, double Delta, IReadOnlyList<StatsAnswerStatistic> Statistics);

/// <summary>What one statistic spent on a day: its ε, the sensitivity its noise was scaled to, the noisy count a bucket needed.</summary>
internal sealed record StatsAnswerStatistic(string Statistic, double Epsilon, long Sensitivity, long? Threshold);

/// <summary>The statistics routes' JSON, source-generated.</summary>
[JsonSerializable(typeof(StatsAnswer))]
internal sealed partial class StatsJson : JsonSerializerContext;
