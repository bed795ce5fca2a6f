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
/// drawn on the server). Only what the release allows is ever read here: the raw counts stay in the silo.
/// </summary>
internal static class StatsEndpoints
{
    /// <summary>Days one release may cover at most.</summary>
    public const int MaxDays = 366;

    /// <summary>Days a release covers when <c>from</c> is not given.</summary>
    public const int DefaultDays = 30;

    public static readonly string[] Metrics = ["versions", "hosts", "databases", "workloads"];

    public static IEndpointRouteBuilder MapStatsEndpoints(this IEndpointRouteBuilder routes)
    {
        var stats = routes.MapGroup(string.Empty).WithTags("Statistics").AllowAnonymous();
        stats.MapGet("/v1/stats", GetAsync)
            .WithSummary("Published aggregates per day (?from&to: yyyy-MM-dd, ?metric: versions, hosts, databases, workloads); JSON, or CSV with Accept: text/csv. Buckets under k distinct clusters are suppressed.")
            .Produces<StatsAnswer>(StatusCodes.Status200OK, "application/json", "text/csv")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        stats.MapGet("/stats", PageAsync)
            .WithSummary("The published aggregates as a page with SVG charts drawn on the server (no script, no third-party assets).")
            .Produces<string>(StatusCodes.Status200OK, "text/html");
        return routes;
    }

    private static async Task<Results<Ok<StatsAnswer>, ContentHttpResult, ProblemHttpResult>> GetAsync(
        HttpContext context, IGrainFactory grains, TimeProvider time, string? from, string? to, string? metric)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var last = to is null ? today : RequestCheck.ParseDate(to);
        var first = from is null ? last?.AddDays(1 - DefaultDays) : RequestCheck.ParseDate(from);
        if (last is null)
        {
            errors["to"] = ["must be a date (yyyy-MM-dd)"];
        }

        if (first is null)
        {
            errors["from"] = ["must be a date (yyyy-MM-dd)"];
        }

        if (first is { } f && last is { } l && (f > l || l.DayNumber - f.DayNumber >= MaxDays))
        {
            errors["from"] = [$"must be on or before to, and at most {MaxDays} days before it"];
        }

        if (metric is not null && !Metrics.Contains(metric, StringComparer.Ordinal))
        {
            errors["metric"] = [$"must be one of {string.Join(", ", Metrics)}"];
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var release = await grains.GetGrain<IStatsGrain>(0).ReleaseAsync(first!.Value, last!.Value, metric);
        context.Response.Headers.CacheControl = "public, max-age=300";
        if (WantsCsv(context.Request))
        {
            context.Response.Headers["X-Stats-K"] = release.K.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["X-Stats-Differential-Privacy"] = release.DifferentialPrivacy
                ? string.Create(CultureInfo.InvariantCulture, $"laplace; epsilon={release.Epsilon}")
                : "off";
            return TypedResults.Content(Csv(release), "text/csv; charset=utf-8");
        }

        return TypedResults.Ok(StatsAnswer.Of(release));
    }

    private static async Task<ContentHttpResult> PageAsync(HttpContext context, IGrainFactory grains, TimeProvider time)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var release = await grains.GetGrain<IStatsGrain>(0).ReleaseAsync(today.AddDays(1 - DefaultDays), today, null);

        // No script, no third-party assets: nothing for a visitor's browser to fetch from anyone else.
        context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'";
        context.Response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.Content(StatsPage.Render(release), "text/html; charset=utf-8");
    }

    private static bool WantsCsv(HttpRequest request) =>
        MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted) &&
        accepted.Any(media => media.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase) && media.Quality is not 0);

    private static string Csv(StatsRelease release)
    {
        var csv = new StringBuilder("day,metric,bucket,clusters,apps,jobs\r\n");
        foreach (var row in release.Rows)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{row.Day:yyyy-MM-dd},{row.Metric},{Field(row.Bucket)},{row.Clusters},{row.Apps},{row.Jobs}\r\n");
        }

        return csv.ToString();
    }

    /// <summary>RFC 4180 quoting, should a bucket ever hold a comma or a quote.</summary>
    private static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
}

/// <summary>A release as JSON: its range, how it was protected, and the rows.</summary>
internal sealed record StatsAnswer(string From, string To, int K, StatsNoise DifferentialPrivacy, IReadOnlyList<StatsAnswerRow> Rows)
{
    public static StatsAnswer Of(StatsRelease release) => new(
        release.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        release.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        release.K,
        new StatsNoise(release.DifferentialPrivacy, release.DifferentialPrivacy ? "laplace" : null, release.Epsilon),
        [.. release.Rows.Select(row => new StatsAnswerRow(row.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), row.Metric, row.Bucket, row.Clusters, row.Apps, row.Jobs))]);
}

/// <summary>Whether noise was added, by which mechanism and with which ε.</summary>
internal sealed record StatsNoise(bool Applied, string? Mechanism, double? Epsilon);

/// <summary>One published row.</summary>
internal sealed record StatsAnswerRow(string Day, string Metric, string Bucket, long Clusters, long? Apps, long? Jobs);

/// <summary>The statistics routes' JSON, source-generated.</summary>
[JsonSerializable(typeof(StatsAnswer))]
internal sealed partial class StatsJson : JsonSerializerContext;
