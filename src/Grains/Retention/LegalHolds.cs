using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Retention;

/// <summary>The stored part of a subject that legal holds act on: the hold, the erasures it defers, the audit trail.</summary>
public interface ILegalHoldState
{
    LegalHold? LegalHold { get; set; }

    List<string> WaitingErasures { get; }

    List<AuditEntry> Audit { get; }
}

/// <summary>The bookkeeping of legal holds, the same for every kind of subject: place, defer an erasure, lift.</summary>
public static class LegalHolds
{
    /// <summary>Places (or replaces) the hold and records it in the audit trail.</summary>
    public static void Place(ILegalHoldState subject, LegalHold hold, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(hold);
        subject.LegalHold = hold;
        var end = hold.EndsAt is { } ends ? $", until {ends:O}" : ", until lifted";
        Record(subject, hold, new AuditEntry(now, "legal-hold-placed", $"reference {hold.Reference}{end}"), now);
    }

    /// <summary>Records that the hold defers an erasure request; <c>false</c> if it was already recorded.</summary>
    public static bool Defer(ILegalHoldState subject, string requestId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (subject.WaitingErasures.Contains(requestId))
        {
            return false;
        }

        subject.WaitingErasures.Add(requestId);
        Record(subject, subject.LegalHold, new AuditEntry(now, "erasure-deferred", $"request {requestId}: legal hold"), now);
        return true;
    }

    /// <summary>Lifts the hold, records it, and hands back the erasure requests it deferred (to resume them).</summary>
    public static List<string> Lift(ILegalHoldState subject, string officerId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(subject);
        Record(subject, subject.LegalHold, new AuditEntry(now, "legal-hold-lifted", $"by officer {officerId}"), now);
        subject.LegalHold = null;
        var waiting = subject.WaitingErasures.ToList();
        subject.WaitingErasures.Clear();
        return waiting;
    }

    /// <summary>An entry about <paramref name="hold"/>: sealed while the gag of the legal request that placed it runs (the person must not learn of it yet).</summary>
    private static void Record(ILegalHoldState subject, LegalHold? hold, AuditEntry entry, DateTimeOffset now)
    {
        if (subject is IGaggedAuditState gagged && hold is { LegalRequestId: { } requestId, SecretUntil: { } until } && hold.IsSecretAt(now))
        {
            GaggedAudit.Extend(gagged, requestId, until);
            GaggedAudit.Record(gagged, requestId, entry, now);
        }
        else
        {
            subject.Audit.Add(entry);
        }
    }

    /// <summary>Resumes deferred erasure requests at once.</summary>
    public static Task ResumeAsync(IGrainFactory grains, IEnumerable<string> requestIds) =>
        Task.WhenAll(requestIds.Select(id => grains.GetGrain<IPrivacyRequestGrain>(UserKeys.ForRequest(id)).ResumeAsync()));
}

/// <summary>
/// A subject's legal holds as a component: placed and lifted by officers, asked by erasure (a running hold defers it
/// and remembers the request), and the deferred requests resumed when the hold goes.
/// </summary>
/// <param name="state">The subject's state.</param>
/// <param name="grains">To resume deferred requests.</param>
/// <param name="time">The policy's clock.</param>
/// <param name="host">The subject's activation.</param>
/// <param name="known">Whether the subject exists (a hold needs something to hold).</param>
/// <param name="subjectKind">How the log names the subject.</param>
/// <param name="logger">The subject's logger.</param>
public sealed partial class LegalHolds<TState>(
    IPersistentState<TState> state, IGrainFactory grains, TimeProvider time, ISubjectHost host, Func<TState, bool> known, string subjectKind, ILogger logger)
    where TState : ILegalHoldState, IBoundedState
{
    /// <summary>The hold in force, if any.</summary>
    public LegalHold? Current => state.State.LegalHold;

    /// <summary>Places (or replaces) the hold; <c>false</c> if the subject is unknown.</summary>
    public async Task<bool> PlaceAsync(LegalHold hold)
    {
        ArgumentNullException.ThrowIfNull(hold);
        if (!known(state.State))
        {
            return false;
        }

        await state.UpdateAsync(time, now =>
        {
            LegalHolds.Place(state.State, hold, now);
            return (true, true);
        }, host.DeactivateOnIdle);
        LogHold(logger, subjectKind, host.Key, true);
        return true;
    }

    /// <summary>Lifts the hold and resumes the erasures it deferred; <c>false</c> if there was none.</summary>
    public async Task<bool> LiftAsync(string officerId)
    {
        if (state.State.LegalHold is null)
        {
            return false;
        }

        var waiting = await state.UpdateAsync(time, now => (true, LegalHolds.Lift(state.State, officerId, now)), host.DeactivateOnIdle);
        await ResumeAsync(waiting);
        LogHold(logger, subjectKind, host.Key, false);
        return true;
    }

    /// <summary>The hold that defers erasure request <paramref name="requestId"/> now (the request is remembered, to resume it), or <c>null</c>.</summary>
    public async Task<LegalHold?> DeferAsync(string requestId)
    {
        if (state.State.LegalHold is not { } hold || !ExpirySchedule.Defers(hold, time.GetUtcNow()))
        {
            return null;
        }

        await state.UpdateAsync(time, now => (LegalHolds.Defer(state.State, requestId, now), true), host.DeactivateOnIdle);
        return hold;
    }

    /// <summary>Resumes deferred erasure requests at once (they look at the hold again).</summary>
    public Task ResumeAsync(IEnumerable<string> requestIds) => LegalHolds.ResumeAsync(grains, requestIds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Legal hold on {SubjectKind} {GrainKey}: placed={Placed}")]
    private static partial void LogHold(ILogger logger, string subjectKind, string grainKey, bool placed);
}
