using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Notices;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Notices;

/// <summary>
/// One region's fan-out of a notice. It pages the region's subject list in key order, a bounded batch at a time, asks
/// every subject of the batch to take the notice (each records it once per campaign, with its email, in one write),
/// then writes the batch's last key and counts in one write. Killed mid-batch, it repeats that batch on resumption
/// (its reminder reactivates it elsewhere); the subjects answer a repeat as they did the first time, so nobody is
/// notified twice and the counts stay exact.
/// </summary>
[RegionPlacement]
public sealed partial class RegionFanoutGrain(
    [PersistentState("fanout", StorageNames.Subjects)] IPersistentState<RegionFanoutState> state,
    ISubjectRegistry registry,
    IOptions<NoticeOptions> options,
    INoticeFaults faults,
    ILogger<RegionFanoutGrain> logger) : Grain, IRegionFanoutGrain, IRemindable
{
    /// <summary>Attempts per subject before it is counted as failed.</summary>
    private const int Attempts = 3;

    private const string ResumeReminder = "resume";

    /// <summary>Times a batch with failures is tried before its failures are counted and the fan-out moves on.</summary>
    private const int BatchAttempts = 5;

    private IGrainTimer? _timer;
    private int _batches;

    // A batch with failures is repeated (harmless: subjects answer a repeat alike) a few times before they are counted.
    private int _failedAttempts;
    private long _retryAt;

    private string Region => this.GetPrimaryKeyString()[..this.GetPrimaryKeyString().IndexOf('/', StringComparison.Ordinal)];

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Run();
        return Task.CompletedTask;
    }

    public async Task StartAsync(NoticeCampaign campaign)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        if (state.State.Campaign is null)
        {
            // Armed before the write, so a started fan-out always has what resumes it.
            await this.RegisterOrUpdateReminder(ResumeReminder, options.Value.ResumePeriod, options.Value.ResumePeriod);
            var subjects = await registry.CountAsync(Region, Kind(campaign));
            await state.UpdateAsync(
                () =>
                {
                    if (state.State.Campaign is not null)
                    {
                        return (false, true);
                    }

                    state.State.Campaign = campaign;
                    state.State.Subjects = subjects;
                    return (true, true);
                },
                DeactivateOnIdle);
        }

        Run();
    }

    public Task<NoticeProgress> ProgressAsync()
    {
        var current = state.State;
        var failed = current.Failed.ToImmutableDictionary(StringComparer.Ordinal);
        var affected = current.Notified + current.ShownToOperators + failed.Values.Sum();
        return Task.FromResult(new NoticeProgress(
            current.Subjects, current.Examined, affected, current.Notified, current.ShownToOperators, current.Skipped,
            current.Done ? 0 : Math.Max(0, current.Subjects - current.Examined), failed, current.Done));
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Activation already resumed the work; the reminder's only job is to bring the grain back after a crash.
        Run();
        return Task.CompletedTask;
    }

    private void Run()
    {
        if (_timer is null && state.State.Campaign is not null && !state.State.Done)
        {
            // Interleaved, so the counts can be read while a batch waits on its subjects; ticks never overlap each other.
            _timer = this.RegisterGrainTimer(BatchAsync, new GrainTimerCreationOptions(TimeSpan.Zero, TimeSpan.FromMilliseconds(1)) { KeepAlive = true, Interleave = true });
        }
    }

    private async Task BatchAsync(CancellationToken cancellationToken)
    {
        var campaign = state.State.Campaign!;
        if (state.State.Done)
        {
            return;
        }

        if (Environment.TickCount64 < _retryAt)
        {
            return;
        }

        var page = await registry.PageAsync(Region, state.State.Cursor, Math.Max(1, options.Value.BatchSize), Kind(campaign));
        if (page.IsEmpty)
        {
            await state.UpdateAsync(() => (true, state.State.Done = true), DeactivateOnIdle);
            _timer?.Dispose();
            _timer = null;
            if (await this.GetReminder(ResumeReminder, CancellationToken.None) is { } reminder)
            {
                await this.UnregisterReminder(reminder, CancellationToken.None);
            }

            LogDone(logger, state.State.Examined);
            return;
        }

        var outcomes = await Task.WhenAll(page.Select(subject => DeliverAsync(subject, campaign)));
        await faults.BeforeBatchRecordedAsync(campaign.Id, ++_batches);
        if (outcomes.Any(outcome => outcome.Outcome is null) && ++_failedAttempts < BatchAttempts)
        {
            // Most failures pass (a silo dying, a region's database restarting): wait a little, then repeat the batch.
            _retryAt = Environment.TickCount64 + (1000L * _failedAttempts);
            LogBatchRepeated(logger, _failedAttempts);
            return;
        }

        _failedAttempts = 0;
        await state.UpdateAsync(
            () =>
            {
                var current = state.State;
                current.Cursor = page[^1].Key;
                current.Examined += page.Length;
                foreach (var (outcome, failure) in outcomes)
                {
                    switch (outcome)
                    {
                        case NoticeOutcome.Notified:
                            current.Notified++;
                            break;
                        case NoticeOutcome.ShownToOperator:
                            current.ShownToOperators++;
                            break;
                        case NoticeOutcome.Absent:
                            current.Skipped++;
                            break;
                        case null:
                            current.Failed[failure!] = current.Failed.GetValueOrDefault(failure!) + 1;
                            break;
                    }
                }

                return (true, true);
            },
            DeactivateOnIdle);
    }

    private async Task<(NoticeOutcome? Outcome, string? Failure)> DeliverAsync(RegisteredSubject subject, NoticeCampaign campaign)
    {
        var recipient = subject.Kind == SubjectKinds.User
            ? GrainFactory.GetGrain<IUserGrain>(subject.Key).AsReference<INoticeRecipient>()
            : GrainFactory.GetGrain<IClusterGrain>(subject.Key).AsReference<INoticeRecipient>();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return (await recipient.DeliverNoticeAsync(campaign, subject.Key), null);
            }
            catch (Exception exception) when (attempt < Attempts)
            {
                LogRetry(logger, exception.GetType().Name);
            }
            catch (Exception exception)
            {
                // The type only: a message could quote the subject.
                return (null, exception.GetType().Name);
            }
        }
    }

    /// <summary>A policy change goes to accounts only; a breach to every subject.</summary>
    private static string? Kind(NoticeCampaign campaign) => campaign.Kind == NoticeKind.PolicyChange ? SubjectKinds.User : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Notice fan-out finished in its region: {Examined} subjects examined")]
    private static partial void LogDone(ILogger logger, long examined);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notice fan-out: a batch had failures; repeating it (attempt {Attempt})")]
    private static partial void LogBatchRepeated(ILogger logger, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notice fan-out: a subject failed ({ExceptionType}); trying again")]
    private static partial void LogRetry(ILogger logger, string exceptionType);
}
