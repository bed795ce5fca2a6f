using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Grains.Clusters;

/// <summary>Retention of a cluster's data: one reminder due at the next expiry, deferred while a legal hold runs.</summary>
public sealed partial class ClusterGrain
{
    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // The tick only queues the work: a wave of due reminders then waits in the silo's queue, not inside ticks.
        if (reminderName == RetentionReminder)
        {
            retentionRunner.Enqueue(this.GetGrainId());
        }

        return Task.CompletedTask;
    }

    public async Task RunRetentionAsync()
    {
        var now = time.GetUtcNow();
        await ResubmitUnconfirmedErasuresAsync(now);
        if (state.State.ClusterId is not null && state.State.EarliestReportExpiry <= now && !ExpirySchedule.Defers(state.State.LegalHold, now))
        {
            // One indexed delete of what expired, its count in the ledger in the same statement.
            var deletion = await reportLog.DeleteAsync(Region, Key, now, all: false, "cluster", "expiry");
            foreach (var (category, count) in deletion.Destroyed)
            {
                LogDestroyed(logger, Key, category, count);
            }

            // Nothing left and nothing else to keep: straight to forgetting the ids, without first recording the deletion;
            // only on the state the deletion was decided on (a conflict means another activation may have stored a report).
            var seen = state.Etag;
            if (deletion.NextExpiry is null && IsForgettable(state.State, reportsLeft: false) &&
                await DestroyAsync("expiry", () => state.Etag == seen && IsForgettable(state.State, reportsLeft: false), reportsDeleted: true) is not null)
            {
                LogForgotten(logger, Key);
                return;
            }

            await UpdateAsync(_ =>
            {
                var current = state.State;
                foreach (var (category, count) in deletion.Destroyed)
                {
                    current.Audit.Add(new AuditEntry(now, "destroyed", $"{count} {WireNames.Of(category)} item(s): expiry"));
                }

                var next = NextExpiryAfter(deletion, current.EarliestReportExpiry, now);
                var changed = !deletion.Destroyed.IsEmpty || current.EarliestReportExpiry != next;
                current.EarliestReportExpiry = next;
                return (changed, true);
            });
        }

        // Nothing left that we collected for a purpose, no opt-out to honour, nobody linked, no hold: the ids go too.
        if (state.RecordExists && IsForgettable(state.State) &&
            await DestroyAsync("expiry", () => state.RecordExists && IsForgettable(state.State)) is not null)
        {
            LogForgotten(logger, Key);
            return;
        }

        // Only the telemetry opt-out is left to honour: a hash of the bootstrap id does that, the raw ids go.
        if (state.RecordExists && IdentifiersUnneeded(state.State))
        {
            await MinimizeIdentifiersAsync();
        }

        // The reminder just fired: whatever it was registered for is spent.
        await ArmRetentionAsync(rearm: true);
    }

    /// <summary>
    /// The earliest expiry left after <paramref name="deletion"/>, decided on the state as it is now: an expiry still in
    /// the future there was stored by another activation after the deletion looked (a report it kept meanwhile), so the
    /// sooner of the two wins. An expiry that has passed is the one this deletion just handled.
    /// </summary>
    private static DateTimeOffset? NextExpiryAfter(ReportDeletion deletion, DateTimeOffset? stored, DateTimeOffset now) =>
        stored is { } fresh && fresh > now && (deletion.NextExpiry is not { } left || fresh < left) ? fresh : deletion.NextExpiry;

    /// <summary>Decided again after a write conflict: another activation may just have stored a report.</summary>
    private static bool IsForgettable(ClusterState current, bool reportsLeft = true) =>
        (current.EarliestReportExpiry is null || !reportsLeft) && current.Items.Count == 0 && !current.TelemetryDisabled && current.Links.Count == 0 &&
        current.LegalHold is null && current.AcceptedErasures.Count == 0;

    public async Task<bool> PlaceLegalHoldAsync(LegalHold hold)
    {
        ArgumentNullException.ThrowIfNull(hold);
        if (!state.RecordExists || state.State.ClusterId is null)
        {
            return false;
        }

        await UpdateAsync(now =>
        {
            LegalHolds.Place(state.State, hold, now);
            return (true, true);
        });
        await ArmRetentionAsync(rearm: true);
        LogHold(logger, this.GetPrimaryKeyString(), true);
        return true;
    }

    public async Task<bool> LiftLegalHoldAsync(string officerId)
    {
        if (state.State.LegalHold is null)
        {
            return false;
        }

        // The reminder is made due now first: if we crash after it, the lift is retried and the reminder still fires.
        await this.RegisterOrUpdateReminder(RetentionReminder, TimeSpan.Zero, retention.Value.RetryPeriod);
        var waiting = await UpdateAsync(now =>
        {
            state.State.RetentionDueAt = now;
            return (true, LegalHolds.Lift(state.State, officerId, now));
        });
        await LegalHolds.ResumeAsync(GrainFactory, waiting);

        // A reminder due at once first fires a period later (RunIfMissed): what the hold kept waiting runs now.
        retentionRunner.Enqueue(this.GetGrainId());
        LogHold(logger, this.GetPrimaryKeyString(), false);
        return true;
    }

    public Task<LegalHold?> GetLegalHoldAsync() => Task.FromResult(state.State.LegalHold);

    /// <summary>
    /// Makes the retention reminder due at the next expiry (or removes it when nothing expires or an open-ended hold
    /// runs); <paramref name="rearm"/> when the registered reminder is no longer known to be due then.
    /// </summary>
    private Task ArmRetentionAsync(bool rearm = false)
    {
        var now = time.GetUtcNow();
        return this.ArmAsync(state, RetentionReminder, current => NextRetention(current, now), now, retention.Value.RetryPeriod, rearm, DeactivateOnIdle, RunIfMissed);
    }

    /// <summary>
    /// Orleans starts a reminder's timer at the next point of its schedule after now: one registered for a time that has
    /// passed by then (due at once, or soon under load) first fires a retry period later. Its work is queued here instead.
    /// </summary>
    private void RunIfMissed(DateTimeOffset due)
    {
        if (time.GetUtcNow() >= due)
        {
            retentionRunner.Enqueue(this.GetGrainId());
        }
    }

    private static DateTimeOffset? NextRetention(ClusterState current, DateTimeOffset now)
    {
        var next = ExpirySchedule.NextDue(current.EarliestReportExpiry, current.LegalHold, now);

        // Not deferred by a hold: the request must exist to show that it is on hold.
        var resubmit = current.UnconfirmedErasures.Count == 0 ? null : current.UnconfirmedErasures.Min(pending => (DateTimeOffset?)pending.ResubmitAt);
        return resubmit < next || next is null ? resubmit : next;
    }

    private async Task DisarmRetentionAsync()
    {
        if (await this.GetReminder(RetentionReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention destroyed {Count} expired {Category} item(s) of cluster {GrainKey}")]
    private static partial void LogDestroyed(ILogger logger, string grainKey, DataCategory category, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {GrainKey} holds nothing any more; its state is gone")]
    private static partial void LogForgotten(ILogger logger, string grainKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Legal hold on cluster {GrainKey}: placed={Placed}")]
    private static partial void LogHold(ILogger logger, string grainKey, bool placed);
}
