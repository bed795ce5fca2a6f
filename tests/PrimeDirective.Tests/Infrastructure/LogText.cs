using Microsoft.Extensions.Logging.Testing;

namespace PrimeDirective.Tests.Infrastructure;

/// <summary>Everything a captured log record could leak: category, message, exception, structured state and scopes.</summary>
public static class LogText
{
    public static string Render(FakeLogRecord record) =>
        $"{record.Category} {record.Message} {record.Exception} " +
        string.Join(' ', record.StructuredState?.Select(pair => $"{pair.Key}={pair.Value}") ?? []) + " " +
        string.Join(' ', record.Scopes.Select(scope => scope?.ToString()));

    public static string All(FakeLogCollector logs) => string.Join('\n', logs.GetSnapshot().Select(Render));
}
