using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Clusters;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Notices;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Notices;

/// <summary>
/// One region's fan-out of a notice. It pages the region's subject list in key order, a bounded batch at a time, asks
/// every person of the batch (directly, or through a cluster) whether they take the notice (a read-only call), appends
/// the batch's notices with their emails as rows in one round trip (<see cref="IPersonNoticeLog"/>; the silo's
/// <see cref="NoticeEmailDrain"/> delivers the emails), then writes the batch's last key and counts in one write. Killed mid-batch, it repeats that batch on resumption
/// (its reminder reactivates it elsewhere); the subjects answer a repeat as they did the first time, so nobody is
/// notified twice and the counts stay exact. A subject it cannot reach is kept in the region's failure log and retried
/// by the reminder until it answers or <see cref="NoticeOptions.GiveUpAfter"/> passed; then it is listed as failed.
/// </summary>
[RegionPlacement]
public sealed partial class RegionFanoutGrain(
    [PersistentState("fanout", StorageNames.Subjects)] IPersistentState<RegionFanoutState> state,
    ISubjectRegistry registry,
    INoticeFailureLog failures,
    IPersonNoticeLog noticeRows,
    NoticeEmailDrain drain,
    PolicyClock time,
    IOptions<NoticeOptions> options,
    INoticeFaults faults,
    ILogger<RegionFanoutGrain> logger,
    FanoutMetrics metrics) : Grain, IRegionFanoutGrain, IRemindable
{
    /// <summary>Attempts per subject before its delivery counts as failed.</summary>
    private const int Attempts = 3;

    private const string ResumeReminder = "resume";

    /// <summary>Times a batch with failures is tried before its failures are logged and the fan-out moves on.</summary>
    private const int BatchAttempts = 5;

    /// <summary>Keys of failed subjects a region lists in the campaign's view, at most.</summary>
    private const int ListedFailures = 500;

    private IGrainTimer? _timer;
    private int _batches;

    // A batch with failures is repeated (harmless: subjects answer a repeat alike) a few times before they are logged.
    private int _failedAttempts;
    private long _retryAt;

    private string Region => this.GetPrimaryKeyString()[..this.GetPrimaryKeyString().IndexOf('/', StringComparison.Ordinal)];

    /// <summary>The campaign's id, from the key <c>{region}/fanout/{id}</c>.</summary>
    private string CampaignId => this.GetPrimaryKeyString()[(this.GetPrimaryKeyString().IndexOf("/fanout/", StringComparison.Ordinal) + "/fanout/".Length)..];

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Run();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics.Ended(this);
        return Task.CompletedTask;
    }

    public async Task StartAsync(NoticeCampaign campaign)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        if (state.State.Campaign is null)
        {
            // Armed before the write, so a started fan-out always has what resumes it.
            await this.RegisterOrUpdateReminder(ResumeReminder, options.Value.ResumePeriod, options.Value.ResumePeriod);
            var subjects = await registry.CountAsync(Region, null);
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

    public async Task<NoticeProgress> ProgressAsync()
    {
        var current = state.State;
        var log = current.Campaign is null ? NoticeFailureSummary.None : await failures.SummarizeAsync(Region, CampaignId, ListedFailures);
        var failed = current.Failed.ToImmutableDictionary(StringComparer.Ordinal);
        foreach (var (reason, count) in log.GaveUp)
        {
            failed = failed.SetItem(reason, failed.GetValueOrDefault(reason) + count);
        }

        var notified = current.Notified + log.Settled.GetValueOrDefault(NoticeFailureLog.Outcome(NoticeOutcome.Notified));
        var shown = current.ShownToOperators + log.Settled.GetValueOrDefault(NoticeFailureLog.Outcome(NoticeOutcome.ShownToOperator));
        var skipped = current.Skipped + log.Settled.GetValueOrDefault(NoticeFailureLog.Outcome(NoticeOutcome.Absent));
        return new NoticeProgress(
            current.Subjects, current.Examined, notified + shown + failed.Values.Sum() + log.Retrying, notified, shown, skipped,
            current.Done ? 0 : Math.Max(0, current.Subjects - current.Examined), failed, current.Done && log.Retrying == 0,
            log.Retrying, log.GaveUpKeys, log.EmailsFailed);
    }

    public Task EmailFailedAsync(string subjectKey, string reason) =>
        failures.RecordEmailFailureAsync(Region, CampaignId, subjectKey, reason, time.GetUtcNow());

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Activation already resumed the paging; the reminder brings the grain back after a crash and retries failures.
        Run();
        if (state.State.Campaign is { } campaign)
        {
            await RetryAsync(campaign);
        }
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

        var page = await registry.PageAsync(Region, state.State.Cursor, Math.Max(1, options.Value.BatchSize), null);
        if (page.IsEmpty)
        {
            await state.UpdateAsync(() => (true, state.State.Done = true), DeactivateOnIdle);
            _timer?.Dispose();
            _timer = null;
            metrics.Ended(this);
            LogDone(logger, state.State.Examined);
            await StopWhenSettledAsync();
            return;
        }

        var outcomes = await DeliverAsync(page, campaign);
        await faults.BeforeBatchRecordedAsync(campaign.Id, ++_batches);
        if (outcomes.Any(outcome => outcome.Outcome is null) && ++_failedAttempts < BatchAttempts)
        {
            // Most failures pass (a silo dying, a region's database restarting): wait a little, then repeat the batch.
            _retryAt = Environment.TickCount64 + (1000L * _failedAttempts);
            LogBatchRepeated(logger, _failedAttempts);
            return;
        }

        _failedAttempts = 0;

        // Logged before the cursor moves past them: whoever could not be reached is retried, never forgotten.
        var now = time.GetUtcNow();
        var delivered = page.Zip(outcomes).ToList();
        await failures.RecordBatchAsync(
            Region,
            campaign.Id,
            [.. delivered.Where(pair => pair.Second.Outcome is null).Select(pair => new NoticeFailure(pair.First.Key, pair.First.Kind, pair.Second.Failure!, now))],
            [.. delivered.Where(pair => pair.Second.Outcome is not null).Select(pair => pair.First.Key)]);
        var advanced = await state.UpdateAsync(
            () =>
            {
                // Decided on what is stored: a batch another activation already recorded (a silo killed meanwhile) counts once.
                var current = state.State;
                if (current.Cursor is { } recorded && string.CompareOrdinal(recorded, page[^1].Key) >= 0)
                {
                    return (false, false);
                }

                current.Cursor = page[^1].Key;
                current.Examined += page.Length;
                foreach (var (outcome, _) in outcomes)
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
                    }
                }

                return (true, true);
            },
            DeactivateOnIdle);
        metrics.Progressed(this, Region, campaign.Kind, advanced ? page.Length : 0, state.State.Subjects - state.State.Examined);
    }

    /// <summary>Delivers again to every subject still retried: each answers (settled) or fails again (given up once it is too late).</summary>
    private async Task RetryAsync(NoticeCampaign campaign)
    {
        var batch = Math.Max(1, options.Value.BatchSize);
        for (string? after = null; ;)
        {
            var page = await failures.RetryingAsync(Region, campaign.Id, after, batch);
            if (page.IsEmpty)
            {
                break;
            }

            var answers = await DeliverAsync([.. page.Select(failure => new RegisteredSubject(failure.SubjectKey, failure.Kind))], campaign);
            await Task.WhenAll(page.Zip(answers).Select(async pair =>
            {
                var (failure, (outcome, reason)) = pair;
                if (outcome is { } answered)
                {
                    await failures.SettleAsync(Region, campaign.Id, failure.SubjectKey, NoticeFailureLog.Outcome(answered));
                    return;
                }

                var now = time.GetUtcNow();
                var giveUp = now - failure.FirstFailedAt >= options.Value.GiveUpAfter;
                await failures.FailAgainAsync(Region, campaign.Id, failure.SubjectKey, reason!, giveUp ? now : null);
                if (giveUp)
                {
                    LogGaveUp(logger, reason!);
                }
            }));
            after = page[^1].SubjectKey;
        }

        if (state.State.Done)
        {
            await StopWhenSettledAsync();
        }
    }

    /// <summary>Once every subject was examined and nobody is retried any more, the reminder has nothing left to do.</summary>
    private async Task StopWhenSettledAsync()
    {
        if ((await failures.RetryingAsync(Region, CampaignId, null, 1)).IsEmpty &&
            await this.GetReminder(ResumeReminder, CancellationToken.None) is { } reminder)
        {
            await this.UnregisterReminder(reminder, CancellationToken.None);
        }
    }

    /// <summary>
    /// Delivers the campaign to a batch of subjects: each person reached decides, writing nothing; the notices taken (one
    /// per person, the first path wins) are appended with their emails in one round trip per region; then each subject's
    /// outcome follows from what is stored, so a repeated batch stores nothing twice and answers as the first did.
    /// </summary>
    private async Task<(NoticeOutcome? Outcome, string? Failure)[]> DeliverAsync(IReadOnlyList<RegisteredSubject> subjects, NoticeCampaign campaign)
    {
        var reached = await Task.WhenAll(subjects.Select(subject => ReachAsync(subject, campaign)));
        var taken = reached.Where(one => one.Failure is null).SelectMany(one => one.Taken).DistinctBy(row => row.Person, StringComparer.Ordinal).ToList();
        IReadOnlyDictionary<string, string> stored;
        try
        {
            stored = await AppendAsync(taken);
        }
        catch (Exception exception)
        {
            // The type only; every subject with a notice to store is repeated, the others already answered.
            var failure = exception.GetType().Name;
            LogAppendFailed(logger, failure);
            return [.. reached.Select(one => one.Failure is null && one.Taken.Count > 0 ? (null, failure) : (one.Outcome, one.Failure))];
        }

        return await Task.WhenAll(reached.Select(one => AnswerAsync(one, stored, campaign)));
    }

    /// <summary>Appends the batch's notices (each region's people in one statement) and returns, per person, the key the stored notice came through.</summary>
    private async Task<IReadOnlyDictionary<string, string>> AppendAsync(List<PersonNoticeRow> taken)
    {
        var stored = new Dictionary<string, string>(StringComparer.Ordinal);
        var dueAt = drain.DueNow();
        foreach (var region in taken.GroupBy(row => SubjectKey.RegionOf(row.Person) ?? Region))
        {
            var rows = region.ToList();
            for (var attempt = 1; rows.Count > 0; attempt++)
            {
                var answer = await noticeRows.AppendAsync(region.Key, rows, dueAt);
                foreach (var notice in answer)
                {
                    stored[notice.Person] = notice.Via;
                }

                // Stored meanwhile by another region's fan-out (a cluster there links the person): read on the next try.
                rows = [.. rows.Where(row => !stored.ContainsKey(row.Person))];
                if (rows.Count > 0 && attempt == Attempts)
                {
                    throw new InvalidOperationException("A notice stored concurrently could not be read back.");
                }
            }
        }

        if (taken.Count > 0)
        {
            drain.Wake();
        }

        return stored;
    }

    /// <summary>One subject's outcome once the batch is stored: a person notified here or elsewhere; a cluster as its people, or shown to its operator.</summary>
    private async Task<(NoticeOutcome? Outcome, string? Failure)> AnswerAsync(Reached reached, IReadOnlyDictionary<string, string> stored, NoticeCampaign campaign)
    {
        if (reached.Failure is not null || reached.Outcome is not null)
        {
            return (reached.Outcome, reached.Failure);
        }

        var answers = reached.Answered.Concat(reached.Taken.Select(row =>
            stored[row.Person] == reached.Subject.Key ? NoticeOutcome.Notified : NoticeOutcome.NotifiedElsewhere)).ToList();
        if (answers.Contains(NoticeOutcome.Notified))
        {
            return (NoticeOutcome.Notified, null);
        }

        if (answers.Contains(NoticeOutcome.NotifiedElsewhere))
        {
            return (NoticeOutcome.NotifiedElsewhere, null);
        }

        if (reached.Subject.Kind == SubjectKinds.User)
        {
            return (answers.FirstOrDefault(NoticeOutcome.NotAffected), null);
        }

        try
        {
            return (await GrainFactory.GetGrain<IClusterNotices>(reached.Subject.Key).ShowOperatorNoticeAsync(campaign), null);
        }
        catch (Exception exception)
        {
            return (null, exception.GetType().Name);
        }
    }

    /// <summary>
    /// Asks one subject, with retries: a person decides for itself; a cluster decides whether it is affected, then each of
    /// its linked people decides, naming the cluster it was reached through. The cluster never awaits a person (who may be
    /// awaiting the cluster), so a consent change during a fan-out never deadlocks against it.
    /// </summary>
    private async Task<Reached> ReachAsync(RegisteredSubject subject, NoticeCampaign campaign)
    {
        try
        {
            await faults.BeforeDeliveryAsync(campaign.Id, subject.Key);
        }
        catch (Exception exception)
        {
            return Reached.Failed(subject, exception.GetType().Name);
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (subject.Kind == SubjectKinds.User)
                {
                    return Reached.From(subject, campaign.Id, [(subject.Key, await Person(subject.Key).DecideNoticeAsync(campaign, subject.Key))]);
                }

                var reach = await GrainFactory.GetGrain<IClusterNotices>(subject.Key).ReachNoticeAsync(campaign);
                if (reach.Outcome is { } final)
                {
                    return new Reached(subject, final, null, [], []);
                }

                var decisions = await Task.WhenAll(reach.People.Select(async person => (person, await Person(person).DecideNoticeAsync(campaign, subject.Key))));
                return Reached.From(subject, campaign.Id, decisions);
            }
            catch (Exception exception) when (attempt < Attempts)
            {
                LogRetry(logger, exception.GetType().Name);
            }
            catch (Exception exception)
            {
                // The type only: a message could quote the subject.
                return Reached.Failed(subject, exception.GetType().Name);
            }
        }
    }

    private INoticeRecipient Person(string userKey) => GrainFactory.GetGrain<IUserGrain>(userKey).AsReference<INoticeRecipient>();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notice fan-out: a batch's notices could not be stored ({ExceptionType}); the batch is repeated")]
    private static partial void LogAppendFailed(ILogger logger, string exceptionType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Notice fan-out finished in its region: {Examined} subjects examined")]
    private static partial void LogDone(ILogger logger, long examined);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notice fan-out: a batch had failures; repeating it (attempt {Attempt})")]
    private static partial void LogBatchRepeated(ILogger logger, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notice fan-out: a subject failed ({ExceptionType}); trying again")]
    private static partial void LogRetry(ILogger logger, string exceptionType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Notice fan-out: a subject could not be reached within the give-up time ({ExceptionType}); listed as failed in the campaign's view")]
    private static partial void LogGaveUp(ILogger logger, string exceptionType);

    /// <summary>
    /// What one subject answered before the batch is stored: a failure, a final outcome, or the answers of the people it
    /// reached (<paramref name="Answered"/>: final, from the account's state) and the notices they took (<paramref name="Taken"/>).
    /// </summary>
    private sealed record Reached(RegisteredSubject Subject, NoticeOutcome? Outcome, string? Failure, IReadOnlyList<NoticeOutcome> Answered, IReadOnlyList<PersonNoticeRow> Taken)
    {
        public static Reached Failed(RegisteredSubject subject, string failure) => new(subject, null, failure, [], []);

        public static Reached From(RegisteredSubject subject, string campaignId, IEnumerable<(string Person, NoticeDecision Decision)> decisions)
        {
            var all = decisions.ToList();
            return new Reached(
                subject, null, null,
                [.. all.Where(one => one.Decision.Outcome is not null).Select(one => one.Decision.Outcome!.Value)],
                [.. all.Where(one => one.Decision.Outcome is null).Select(one => new PersonNoticeRow(
                    one.Person, campaignId, one.Decision.Kind, one.Decision.At, subject.Key,
                    ImmutableCollectionsMarshal.AsArray(one.Decision.Body)!, ImmutableCollectionsMarshal.AsArray(one.Decision.Email)))]);
        }
    }
}
