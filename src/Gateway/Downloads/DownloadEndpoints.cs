using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;

namespace PrimeDirective.Gateway.Downloads;

/// <summary>
/// The CLI download: the operating system is inferred from the User-Agent to pick the build, and nothing of the
/// request is kept (no row, no log line): the inference lives only as long as the answer.
/// </summary>
internal static class DownloadEndpoints
{
    /// <summary>Where the CLI builds are published (configuration <c>Downloads:CliBaseUrl</c>).</summary>
    public const string DefaultCliBaseUrl = "https://dl.flynn.io/cli";

    /// <summary>The builds by operating system, as file names under the base URL.</summary>
    public static readonly IReadOnlyList<(string Os, string Label, string File)> Builds =
    [
        ("linux", "Linux", "flynn-linux-amd64.gz"),
        ("macos", "macOS", "flynn-darwin-amd64.gz"),
        ("windows", "Windows", "flynn-windows-amd64.exe.gz"),
    ];

    public static IEndpointRouteBuilder MapDownloadEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/downloads/cli", Download).WithTags("Downloads").AllowAnonymous()
            .WithSummary("Redirects to the CLI build for the operating system named in the User-Agent (Linux, macOS, Windows), else lists every build. Keeps nothing.")
            .Produces(StatusCodes.Status302Found)
            .Produces<string>(StatusCodes.Status200OK, "text/html");
        return routes;
    }

    /// <summary>The operating system a User-Agent names: <c>linux</c>, <c>macos</c>, <c>windows</c>, or <c>null</c> (phones, tablets, unknown).</summary>
    public static string? OsOf(string? userAgent) => userAgent switch
    {
        null or "" => null,
        _ when userAgent.Contains("Windows", StringComparison.OrdinalIgnoreCase) => "windows",
        _ when userAgent.Contains("Android", StringComparison.OrdinalIgnoreCase) || userAgent.Contains("iPhone", StringComparison.OrdinalIgnoreCase) ||
               userAgent.Contains("iPad", StringComparison.OrdinalIgnoreCase) || userAgent.Contains("CrOS", StringComparison.Ordinal) => null,
        _ when userAgent.Contains("Macintosh", StringComparison.OrdinalIgnoreCase) || userAgent.Contains("Mac OS X", StringComparison.OrdinalIgnoreCase) ||
               userAgent.Contains("Darwin", StringComparison.OrdinalIgnoreCase) => "macos",
        _ when userAgent.Contains("Linux", StringComparison.OrdinalIgnoreCase) || userAgent.Contains("X11", StringComparison.Ordinal) => "linux",
        _ => null,
    };

    private static Results<RedirectHttpResult, ContentHttpResult> Download(HttpContext context, IConfiguration configuration)
    {
        var baseUrl = (configuration["Downloads:CliBaseUrl"] is { Length: > 0 } configured ? configured : DefaultCliBaseUrl).TrimEnd('/');

        // The answer depends on the agent and must not be cached for anyone else.
        context.Response.Headers.Vary = "User-Agent";
        context.Response.Headers.CacheControl = "private, no-store";
        var os = OsOf(context.Request.Headers.UserAgent.ToString());
        if (Builds.FirstOrDefault(build => build.Os == os) is { File: not null } match)
        {
            return TypedResults.Redirect($"{baseUrl}/{match.File}");
        }

        var page = new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Flynn CLI downloads</title></head><body><h1>Flynn CLI</h1><ul>");
        foreach (var (_, label, file) in Builds)
        {
            page.Append("<li><a href=\"").Append(WebUtility.HtmlEncode($"{baseUrl}/{file}")).Append("\">").Append(label).Append("</a></li>");
        }

        return TypedResults.Content(page.Append("</ul></body></html>").ToString(), "text/html; charset=utf-8");
    }
}
