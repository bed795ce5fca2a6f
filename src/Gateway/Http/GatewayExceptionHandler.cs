using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Orleans.Storage;

namespace PrimeDirective.Gateway.Http;

/// <summary>
/// The one mapping from exceptions to problems. Transient failures of the cluster or its storage (no silo of the region,
/// timeout, database down, write conflict) answer 503 with <c>Retry-After</c>: nothing was acknowledged that is not
/// durable, and the caller retries. Requests the framework could not bind keep their status (400, 413, 415).
/// </summary>
internal sealed partial class GatewayExceptionHandler(ILogger<GatewayExceptionHandler> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // Only exception types are logged: messages of storage, runtime and JSON exceptions can carry submitted values.
        var transient = IsTransient(exception);
        if (transient)
        {
            LogUnavailable(logger, exception.GetType().Name);
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }
        else if (exception is not BadHttpRequestException)
        {
            LogFailed(logger, exception.GetType().Name);
        }

        var problem = exception switch
        {
            _ when transient => Problems.Unavailable("The data's region cannot be reached right now; nothing was stored. Retry later."),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => Problems.TooLarge(JsonBody.MaxBytes),
            BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } => Problems.UnsupportedMediaType(JsonBody.MediaType),
            BadHttpRequestException { InnerException: JsonException } => Problems.BadRequest(
                "The body is not a JSON object of this request's shape: a field is missing, unknown, repeated, null or of the wrong type."),
            BadHttpRequestException => Problems.BadRequest("The request is malformed."),
            _ => Problems.Create(StatusCodes.Status500InternalServerError, "internal-error", "Something went wrong.", "Nothing was acknowledged; retry later."),
        };
        await problem.ExecuteAsync(httpContext);
        return true;
    }

    /// <summary>Whether <paramref name="exception"/> is a failure that retrying later can fix.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        OrleansException or TimeoutException or DbException or InconsistentStateException => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsTransient),
        _ => exception.InnerException is { } inner && IsTransient(inner),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster call failed transiently ({ExceptionType}); answered 503")]
    private static partial void LogUnavailable(ILogger logger, string exceptionType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Request failed ({ExceptionType}); answered 500")]
    private static partial void LogFailed(ILogger logger, string exceptionType);
}
