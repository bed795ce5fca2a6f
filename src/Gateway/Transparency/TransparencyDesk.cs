using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Transparency;

namespace PrimeDirective.Gateway.Transparency;

/// <summary>
/// The transparency report, for the route and the page alike, and the counts of the requests a person's own call
/// answers at once (access, correction, consent withdrawal): in the person's region, by kind only.
/// </summary>
internal sealed partial class TransparencyDesk(UserGrains users, IGrainFactory grains, ILogger<TransparencyDesk> logger)
{
    /// <summary>The closed half-years' figures.</summary>
    public Task<TransparencyReport> ReportAsync() => grains.GetGrain<ITransparencyReportGrain>(TransparencyKeys.Report(users.Home)).ReportAsync();

    /// <summary>
    /// Counts one request of <paramref name="kind"/> that <paramref name="userId"/>'s call has just answered. The person's
    /// request is done whatever becomes of the count: a failed count is logged (by type) and the report is short by one.
    /// </summary>
    public async Task CountAnsweredAsync(string userId, string kind)
    {
        if (SubjectIds.Parse(userId) is not { } parsed || !users.IsRegion(parsed.Region))
        {
            return;
        }

        try
        {
            await grains.GetGrain<ITransparencyRegionGrain>(TransparencyKeys.Region(parsed.Region)).CountImmediateAsync(Guid.NewGuid().ToString("N"), kind);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogCountFailed(logger, kind, exception.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A {Kind} request was answered but not counted for the transparency report ({ExceptionType})")]
    private static partial void LogCountFailed(ILogger logger, string kind, string exceptionType);
}
