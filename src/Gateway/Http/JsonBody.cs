using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;

namespace PrimeDirective.Gateway.Http;

/// <summary>
/// The transport rules of every JSON body, checked before the framework binds it: UTF-8 JSON only (415), at most
/// 64 KiB (413, chunked bodies included). The body is buffered here, so binding never meets a half-read stream.
/// </summary>
internal static class JsonBody
{
    public const int MaxBytes = 64 * 1024;

    public const string MediaType = "application/json (UTF-8)";

    /// <summary>Applies the rules to requests of endpoints that take a JSON body.</summary>
    public static IApplicationBuilder UseJsonBodyRules(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var accepts = context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>();
        var problem = accepts?.ContentTypes.Contains("application/json", StringComparer.OrdinalIgnoreCase) == true
            ? await BufferAsync(context.Request, context.RequestAborted)
            : null;
        await (problem is null ? next(context) : problem.ExecuteAsync(context));
    });

    private static async Task<IResult?> BufferAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) ||
            !(mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase)) ||
            (mediaType.Charset.HasValue && !mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            return Problems.UnsupportedMediaType(MediaType);
        }

        if (request.ContentLength > MaxBytes)
        {
            return Problems.TooLarge(MaxBytes);
        }

        // Kestrel's limit (MaxBytes, set by the gateway's composition) stops a chunked body that runs over.
        var copy = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(copy, cancellationToken);
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problems.TooLarge(MaxBytes);
        }

        copy.Position = 0;
        request.Body = copy;
        request.HttpContext.Response.RegisterForDispose(copy);
        return null;
    }
}
