using Microsoft.Extensions.Logging;

namespace PrimeDirective.Grains.Hosting;

/// <summary>Says, once at start, that the in-memory development mode keeps nothing across a restart.</summary>
internal sealed partial class InMemoryModeNotice(ILogger<InMemoryModeNotice> logger) : IStartupTask
{
    public Task Execute(CancellationToken cancellationToken)
    {
        LogNotice(logger);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "In-memory mode: nothing this process holds survives a restart (set ConnectionStrings:PrimeDirective for PostgreSQL).")]
    private static partial void LogNotice(ILogger logger);
}
