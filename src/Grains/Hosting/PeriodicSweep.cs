using Microsoft.Extensions.Logging;

namespace PrimeDirective.Grains.Hosting;

/// <summary>
/// Work each silo repeats every <see cref="Period"/> from the time it is active until it stops (the retention wave, the
/// destruction of expired analytics events, the end of expiry epochs). A run that fails is logged, its exception's type
/// only (messages may carry values), and the next run retries: what a run destroys goes late, never not at all.
/// </summary>
/// <param name="logger">Where a failed run is said.</param>
internal abstract partial class PeriodicSweep(ILogger logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    /// <summary>The time from one run to the next.</summary>
    protected abstract TimeSpan Period { get; }

    /// <summary>Whether the first run comes as soon as the silo is active (else one period later).</summary>
    protected virtual bool RunsAtStart => true;

    /// <summary>One run; it logs what it destroyed itself.</summary>
    protected abstract Task RunOnceAsync(CancellationToken cancellationToken);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(GetType().Name, ServiceLifecycleStage.Active, Start, StopAsync);

    public void Dispose() => _stopping.Dispose();

    private Task Start(CancellationToken cancellationToken)
    {
        _loop = LoopAsync();
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop;
    }

    private async Task LoopAsync()
    {
        // Off the lifecycle's call: a first run at start must not hold the silo's start up.
        await Task.Yield();
        using var timer = new PeriodicTimer(Period);
        try
        {
            if (!RunsAtStart)
            {
                await timer.WaitForNextTickAsync(_stopping.Token);
            }

            do
            {
                try
                {
                    await RunOnceAsync(_stopping.Token);
                }
                catch (Exception exception) when (!_stopping.IsCancellationRequested && exception is not OutOfMemoryException)
                {
                    LogFailed(logger, GetType().Name, exception.GetType().Name);
                }
            }
            while (await timer.WaitForNextTickAsync(_stopping.Token));
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Sweep} failed ({ExceptionType}); the next run retries")]
    private static partial void LogFailed(ILogger logger, string sweep, string exceptionType);
}
