using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Notices;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Clusters;

/// <summary>
/// Retention of a cluster's data: at each due time what expired goes, then the ids once nothing needs them (all of
/// them, or all but the bootstrap id's hash while only the telemetry opt-out is left to honour); all of it deferred while
/// a legal hold runs. The one reminder is due at the next expiry, or sooner when an erasure must be submitted again.
/// </summary>
public sealed partial class ClusterRetention(
    SubjectDocument<ClusterState> document, ClusterReports reports, ClusterIdentifiers identifiers, ClusterErasure erasure, IGrainFactory grains,
    ILegalHoldMirror mirror, KeyShredder shredder, ILogger logger, string region, string key)
{
    /// <summary>Places (or replaces) the hold on a known cluster, then <paramref name="rearm"/>s the reminder; <c>false</c> if the cluster is unknown.</summary>
    public async Task<bool> PlaceHoldAsync(LegalHold hold, Func<Task> rearm)
    {
        ArgumentNullException.ThrowIfNull(hold);
        ArgumentNullException.ThrowIfNull(rearm);
        if (!document.RecordExists || document.State.ClusterId is null)
        {
            return false;
        }

        // The mirror says held before the state does; the hold it replaces leaves the mirror only once the state no
        // longer names it (a retry after a conflict re-decides on the fresh state, under the same new row).
        var holdId = LegalHoldRows.NewId();
        await mirror.HoldAsync(region, key, SubjectKinds.Cluster, holdId, hold);
        var replaced = await document.UpdateAsync(now =>
        {
            var previous = document.State.LegalHold is null ? null : new Replaced(document.State.LegalHoldMirrorId);
            LegalHolds.Place(document.State, hold, now);
            document.State.LegalHoldMirrorId = holdId;
            document.State.HoldKeysMayExist = true;
            return (true, previous);
        });
        if (replaced is not null)
        {
            await mirror.ReleaseAsync(region, key, replaced.HoldId);
        }

        await rearm();
        LogHold(logger, key, true);
        return true;
    }

    /// <summary>
    /// Lifts the hold: <paramref name="dueNow"/> makes the reminder due at once before anything changes (a crash after it
    /// retries the lift and the reminder still fires), the erasures it deferred resume, and <paramref name="runNow"/> queues
    /// the retention work it kept waiting. <c>false</c> if there was no hold.
    /// </summary>
    public async Task<bool> LiftHoldAsync(string officerId, Func<Task> dueNow, Action runNow)
    {
        ArgumentNullException.ThrowIfNull(dueNow);
        ArgumentNullException.ThrowIfNull(runNow);
        if (document.State.LegalHold is null)
        {
            return false;
        }

        await dueNow();
        var (waiting, lifted) = await document.UpdateAsync(now =>
        {
            var holdId = document.State.LegalHoldMirrorId;
            document.State.RetentionDueAt = now;
            document.State.LegalHoldMirrorId = null;
            document.State.HoldKeysMayExist = document.State.MayHaveHoldKeys();
            return (true, (LegalHolds.Lift(document.State, officerId, now), holdId));
        });

        // Only after the state no longer holds: a crash before this leaves the subject kept longer, never destroyed early.
        await mirror.ReleaseAsync(region, key, lifted);
        await LegalHolds.ResumeAsync(grains, waiting);
        runNow();
        LogHold(logger, key, false);
        return true;
    }

    /// <summary>
    /// Destroys what has expired now and what nothing needs any more; <paramref name="whenGone"/> runs if the cluster is
    /// then forgotten, <paramref name="rearm"/> otherwise (the reminder just fired: whatever it was registered for is spent).
    /// </summary>
    public async Task RunAsync(Func<Task> whenGone, Func<Task> rearm)
    {
        ArgumentNullException.ThrowIfNull(rearm);
        var now = document.Now;
        await erasure.ResubmitDueAsync(now);
        await EndHoldKeysAsync();
        var current = document.State;
        if (current.ClusterId is not null && current.EarliestReportExpiry <= now && !ExpirySchedule.Defers(current.LegalHold, now))
        {
            // One indexed delete of what expired, its count in the ledger in the same statement.
            var deletion = await reports.DeleteAsync(now, all: false, "expiry");
            foreach (var (category, count) in deletion.Destroyed)
            {
                LogDestroyed(logger, key, category, count);
            }

            // Nothing left and nothing else to keep: straight to forgetting the ids, without first recording the deletion;
            // only on the state the deletion was decided on (a conflict means another activation may have stored a report).
            var seen = document.Etag;
            if (deletion.NextExpiry is null && ClusterErasure.IsForgettable(document.State, reportsLeft: false) &&
                await erasure.DestroyAsync("expiry", () => document.Etag == seen && ClusterErasure.IsForgettable(document.State, reportsLeft: false), whenGone, reportsDeleted: true) is not null)
            {
                LogForgotten(logger, key);
                return;
            }

            await reports.RecordExpiryAsync(deletion, now);
        }

        if (document.RecordExists && ClusterErasure.IsForgettable(document.State) &&
            await erasure.DestroyAsync("expiry", () => document.RecordExists && ClusterErasure.IsForgettable(document.State), whenGone) is not null)
        {
            LogForgotten(logger, key);
            return;
        }

        if (document.RecordExists)
        {
            await MinimizeAsync(whenGone);
        }

        await rearm();
    }

    /// <summary>
    /// Once no hold is in force (lifted, or past its end), the keys its values were re-sealed under go, before the rows: the
    /// re-sealed copies (past their epoch) stop opening everywhere, backups included. A hold placed meanwhile keeps them.
    /// </summary>
    public async Task EndHoldKeysAsync()
    {
        if (!document.State.HoldKeysMayExist || ExpirySchedule.Defers(document.State.LegalHold, document.Now))
        {
            return;
        }

        await shredder.ShredNamedFromAsync(region, ReportAddressSealing.HoldKeyPrefix(key));
        await document.UpdateAsync(now =>
        {
            var held = ExpirySchedule.Defers(document.State.LegalHold, now);
            document.State.HoldKeysMayExist = held;
            return (!held, true);
        });
    }

    /// <summary>Only the telemetry opt-out is left to honour: a hash of the bootstrap id does that, the raw ids go (their proof to the ledger).</summary>
    public async Task MinimizeAsync(Func<Task> whenGone)
    {
        if (ClusterIdentifiers.Unneeded(document.State) && await identifiers.MinimizeAsync())
        {
            await erasure.CompleteDestructionAsync(whenGone);
            LogMinimized(logger, key);
        }
    }

    /// <summary>When the reminder is next due: the next expiry a hold does not defer, or an erasure's resubmission (never deferred).</summary>
    public static DateTimeOffset? NextDue(ClusterState current, DateTimeOffset now, DateTimeOffset? expiring = null)
    {
        ArgumentNullException.ThrowIfNull(current);
        var earliest = expiring is { } added && (current.EarliestReportExpiry is not { } held || added < held) ? added : current.EarliestReportExpiry;
        var next = ExpirySchedule.NextDue(earliest, current.LegalHold, now);

        // Not deferred by a hold: the request must exist to show that it is on hold.
        var resubmit = current.UnconfirmedErasures.Count == 0 ? null : current.UnconfirmedErasures.Min(pending => (DateTimeOffset?)pending.ResubmitAt);
        return resubmit < next || next is null ? resubmit : next;
    }

    /// <summary>The hold a placement replaced: its mirror row's id (<c>null</c>: placed before the mirror).</summary>
    private sealed record Replaced(string? HoldId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention destroyed {Count} expired {Category} item(s) of cluster {GrainKey}")]
    private static partial void LogDestroyed(ILogger logger, string grainKey, DataCategory category, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {GrainKey} holds nothing any more; its state is gone")]
    private static partial void LogForgotten(ILogger logger, string grainKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Legal hold on cluster {GrainKey}: placed={Placed}")]
    private static partial void LogHold(ILogger logger, string grainKey, bool placed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {GrainKey}: telemetry disabled and nothing else held, its ids destroyed (a hash stays)")]
    private static partial void LogMinimized(ILogger logger, string grainKey);
}
