using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace PrimeDirective.Gateway.Http;

/// <summary>Reads a JSON request body under the gateway's limits: size (413), media type (415), syntax and depth (400).</summary>
internal static class JsonBody
{
    public const int MaxBytes = 64 * 1024;

    public const string MediaType = "application/json (UTF-8)";

    private const int MaxDepth = 8;

    private static readonly JsonDocumentOptions s_options = new()
    {
        MaxDepth = MaxDepth,
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
    };

    /// <summary>The parsed body, or the problem to answer with.</summary>
    public static async Task<(JsonDocument? Document, IResult? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) ||
            !(mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase)) ||
            (mediaType.Charset.HasValue && !mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            return (null, Problems.UnsupportedMediaType(MediaType));
        }

        if (request.ContentLength > MaxBytes)
        {
            return (null, Problems.TooLarge(MaxBytes));
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = MaxBytes;
        }

        byte[] buffer;
        try
        {
            using var copy = new MemoryStream();
            await request.Body.CopyToAsync(copy, cancellationToken);
            buffer = copy.ToArray();
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Problems.TooLarge(MaxBytes));
        }

        if (buffer.Length > MaxBytes)
        {
            return (null, Problems.TooLarge(MaxBytes));
        }

        try
        {
            return (JsonDocument.Parse(buffer, s_options), null);
        }
        catch (JsonException)
        {
            return (null, Problems.BadRequest($"The body is not well-formed JSON (or nests deeper than {MaxDepth} levels)."));
        }
    }
}
