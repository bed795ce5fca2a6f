using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Regions;

namespace PrimeDirective.Grains.Outbox;

/// <summary>
/// The silo's one watch over the outbox marks of the regions it serves: every <see cref="OutboxOptions.RecheckPeriod"/>
/// it claims the marks that fell due (an owner whose messages were not all handled a period after it queued them: its
/// silo died, or delivery keeps failing) and calls each owner back, which hands its messages again and unmarks once
/// idle. Armed per silo, so an owner costs two batched rows instead of a reminder registered and removed.
/// </summary>
internal sealed partial class OutboxSweep(
    IOutboxMarks marks,
    IGrainFactory grains,
    SiloRegions regions,
    TimeProvider time,
    IOptions<OutboxOptions> options,
    ILogger<OutboxSweep> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    /// <summary>Owners claimed per round trip.</summary>
    private const int Page = 500;

    private readonly CancellationTokenSource _stopping = new();
    private Task _running = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(OutboxSweep), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    /// <summary>One pass: every owner due now in the served regions is called back (those that fail stay marked for the next pass).</summary>
    internal async Task SweepAsync(CancellationToken stopping)
    {
        foreach (var region in regions.Served)
        {
            while (!stopping.IsCancellationRequested)
            {
                // Real time, as reminders tick (the policy clock may be moved by officers' tests).
                var now = time.GetUtcNow();
                var due = await marks.ClaimDueAsync(region, now, now + options.Value.RecheckPeriod, Page);
                await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = stopping }, async (owner, _) =>
                {
                    try
                    {
                        await grains.GetGrain<IOutboxRecheck>(owner).RecheckOutboxAsync();
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException)
                    {
                        // The type only; the mark stays and is due again a period later.
                        LogRecheckFailed(logger, exception.GetType().Name);
                    }
                });
                if (due.Length < Page)
                {
                    break;
                }
            }
        }
    }

    private Task StartAsync(CancellationToken cancellationToken)
    {
        var stopping = _stopping.Token;
        _running = Task.Run(() => RunAsync(stopping), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await SweepAsync(stopping);
            }
            catch (Exception exception) when (!stopping.IsCancellationRequested)
            {
                // The region's database restarting: the marks wait for the next pass.
                LogSweepFailed(logger, exception.GetType().Name);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await Task.Delay(options.Value.RecheckPeriod, time, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        try
        {
            await _running.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // An ungraceful stop does not wait for the pass under way; the marks stay for another silo.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox sweep: an owner could not be called back ({ExceptionType}); its mark is due again later")]
    private static partial void LogRecheckFailed(ILogger logger, string exceptionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox sweep: a pass failed ({ExceptionType}); trying again a period later")]
    private static partial void LogSweepFailed(ILogger logger, string exceptionType);
}
