using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using PrimeDirective.Gateway.Stats;
using PrimeDirective.Grains.Interfaces.Transparency;

namespace PrimeDirective.Gateway.Transparency;

/// <summary>
/// <c>GET /v1/transparency</c>: the public transparency report (JSON, or CSV by Accept), counts only, one entry per
/// closed half-year; the running half-year is never shown.
/// </summary>
internal static class TransparencyEndpoints
{
    public static IEndpointRouteBuilder MapTransparencyEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/v1/transparency").WithTags("Transparency").AllowAnonymous()
            .MapGet(string.Empty, GetAsync)
            .WithSummary("The transparency report per closed half-year (H1: January to June, H2: July to December, UTC): legal requests received, rejected and complied with by authority kind, gags as a band of 250, data-subject requests received, completed and denied by kind with the median days to complete, breaches declared and people notified. Counts only; the running half-year is absent. JSON, or CSV with Accept: text/csv.")
            .Produces<TransparencyReport>(StatusCodes.Status200OK, "application/json", "text/csv");
        return routes;
    }

    /// <summary>One line per figure: <c>period,from,to,section,kind,measure,value</c>.</summary>
    public static string Csv(TransparencyReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var csv = new StringBuilder("period,from,to,section,kind,measure,value\r\n");
        foreach (var half in report.HalfYears)
        {
            void Line(string section, string kind, string measure, object? value) =>
                csv.Append(CultureInfo.InvariantCulture, $"{half.Period},{half.From:yyyy-MM-dd},{half.To:yyyy-MM-dd},{section},{kind},{measure},{value}\r\n");

            var legal = half.LegalRequests;
            Line("legal-requests", string.Empty, "received", legal.Received);
            Line("legal-requests", string.Empty, "rejected", legal.Rejected);
            Line("legal-requests", string.Empty, "complied-with", legal.CompliedWith);
            Line("legal-requests", string.Empty, "gagged-band", legal.GaggedBand);
            foreach (var authority in legal.ByAuthorityKind)
            {
                Line("legal-requests", authority.AuthorityKind, "received", authority.Received);
                Line("legal-requests", authority.AuthorityKind, "rejected", authority.Rejected);
                Line("legal-requests", authority.AuthorityKind, "complied-with", authority.CompliedWith);
            }

            foreach (var requests in half.DataSubjectRequests)
            {
                Line("data-subject-requests", requests.Kind, "received", requests.Received);
                Line("data-subject-requests", requests.Kind, "completed", requests.Completed);
                Line("data-subject-requests", requests.Kind, "denied", requests.Denied);
                Line("data-subject-requests", requests.Kind, "median-days-to-complete", requests.MedianDaysToComplete);
            }

            Line("breaches", string.Empty, "declared", half.Breaches.Declared);
            Line("breaches", string.Empty, "people-notified", half.Breaches.PeopleNotified);
        }

        return csv.ToString();
    }

    private static async Task<Results<Ok<TransparencyReport>, ContentHttpResult>> GetAsync(HttpContext context, TransparencyDesk desk)
    {
        var report = await desk.ReportAsync();
        context.Response.Headers.CacheControl = "public, max-age=300";
        return StatsEndpoints.WantsCsv(context.Request) ? TypedResults.Content(Csv(report), "text/csv; charset=utf-8") : TypedResults.Ok(report);
    }
}

/// <summary>The transparency route's JSON, source-generated.</summary>
[JsonSerializable(typeof(TransparencyReport))]
internal sealed partial class TransparencyJson : JsonSerializerContext;
