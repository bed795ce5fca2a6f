using Microsoft.Extensions.Logging;

namespace PrimeDirective.Grains.Outbox;

/// <summary>The outbox's log lines: the transport or a failure's type, never the recipient or the content.</summary>
internal static partial class OutboxLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Outbox message written ({Transport})")]
    public static partial void Written(ILogger logger, string transport);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox: a pass deleting expired files failed ({ExceptionType}); the next pass tries again")]
    public static partial void ExpiryFailed(ILogger logger, string exceptionType);
}
