using System.Data.Common;
using Orleans.Storage;

namespace PrimeDirective.Gateway.Http;

/// <summary>
/// Runs a call into the cluster and turns transient failures (no silo, timeout, storage down, write conflict)
/// into 503 with <c>Retry-After</c>: the caller retries, and nothing was acknowledged that is not durable.
/// </summary>
internal static partial class ClusterCalls
{
    public const int RetryAfterSeconds = 5;

    public static async Task<IResult> RunAsync(HttpContext context, Func<Task<IResult>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception exception) when (IsTransient(exception))
        {
            // The type only: messages of storage and runtime exceptions can carry values.
            LogUnavailable(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ClusterCalls)), exception.GetType().Name);
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problems.Unavailable("The data's region cannot be reached right now; nothing was stored. Retry later.");
        }
    }

    public static bool IsTransient(Exception exception) => exception switch
    {
        OrleansException or TimeoutException or DbException or InconsistentStateException => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsTransient),
        _ => exception.InnerException is { } inner && IsTransient(inner),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster call failed transiently ({ExceptionType}); answered 503")]
    private static partial void LogUnavailable(ILogger logger, string exceptionType);
}
