using Microsoft.Extensions.Logging;

namespace PrimeDirective.Grains.Outbox;

/// <summary>The outbox's only log line: the transport, never the recipient or the content.</summary>
internal static partial class OutboxLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Outbox message written ({Transport})")]
    public static partial void Written(ILogger logger, string transport);
}
