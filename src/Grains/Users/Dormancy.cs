using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Privacy;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Users;

/// <summary>
/// Dormant accounts: an account nobody signed in to for <c>Retention:DormantWarning</c> is warned by email (and in its
/// notices); one still without a sign-in at <c>Retention:DormantAccount</c>, and at least as long after the warning as
/// the two settings are apart, is erased by an ordinary erasure request (reason <c>dormant-account</c>). A sign-in
/// starts the clock again. One reminder per account, due at the next of these or after <c>Retention:DormantCheckPeriod</c>.
/// </summary>
public sealed partial class Dormancy(
    IPersistentState<UserState> state,
    PersonNotices notices,
    IOptions<RetentionOptions> retention,
    IGrainFactory grains,
    TimeProvider time,
    ISubjectHost host,
    ILogger logger)
{
    /// <summary>The account's dormancy reminder.</summary>
    public const string Reminder = "dormancy";

    /// <summary>Why a dormant account's erasure request was made.</summary>
    public const string ErasureReason = "dormant-account";

    private RetentionOptions Options => retention.Value;

    /// <summary>A verified sign-in: the clock starts again and any warning is withdrawn.</summary>
    public async Task SignedInAsync()
    {
        if (!state.State.IsActive)
        {
            return;
        }

        await state.UpdateAsync(time, now =>
        {
            var current = state.State;
            current.LastSignInAt = now;
            current.DormantWarnedAt = null;
            return (true, true);
        }, host.DeactivateOnIdle);
        await ArmAsync(rearm: true);
    }

    /// <summary>The reminder's tick: warn, or erase, when due by the policy's clock; then keep the reminder due at the next step.</summary>
    public async Task CheckAsync()
    {
        if (!state.State.IsActive)
        {
            await DisarmAsync();
            return;
        }

        var now = time.GetUtcNow();
        var current = state.State;
        if (current.DormantWarnedAt is null && now >= WarnAt(current))
        {
            await WarnAsync();
        }
        else if (current.DormantWarnedAt is not null && now >= EraseAt(current))
        {
            await EraseAsync();
            return;
        }

        await ArmAsync(rearm: false);
    }

    /// <summary>
    /// Registers the reminder due at the next step, or after the check period if that is sooner; unless
    /// <paramref name="rearm"/>, a registered reminder whose period brings it back before the next step is left as it is.
    /// </summary>
    public async Task ArmAsync(bool rearm)
    {
        var current = state.State;
        if (!current.IsActive)
        {
            return;
        }

        var now = time.GetUtcNow();
        var period = Options.DormantCheckPeriod;
        var next = current.DormantWarnedAt is null ? WarnAt(current) : EraseAt(current);
        if (!rearm && current.DormancyDueAt is not null && next - now > period)
        {
            return;
        }

        var dueIn = next - now < period ? next - now : period;
        dueIn = dueIn > TimeSpan.Zero ? dueIn : TimeSpan.Zero;
        await host.RegisterReminderAsync(Reminder, dueIn, period);
        var dueAt = now + dueIn;
        await state.UpdateAsync(time, _ => (state.State.DormancyDueAt != dueAt, state.State.DormancyDueAt = dueAt), host.DeactivateOnIdle);
    }

    /// <summary>A closed or destroyed account no longer grows dormant.</summary>
    public Task DisarmAsync() => host.UnregisterReminderAsync(Reminder);

    /// <summary>The dormant-account rule as the export shows it, with when it next acts on this account.</summary>
    public RetentionRule Rule(UserState current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return new(
            "account",
            $"Kept while the account lives. Without a sign-in for {Options.DormantWarning.TotalDays:0} days we warn you by email; "
            + $"without one for {Options.DormantAccount.TotalDays:0} days (and at least {(Options.DormantAccount - Options.DormantWarning).TotalDays:0} days after the warning) "
            + "we erase the account and everything we hold about you. Signing in starts the count again.",
            current.DormantWarnedAt is null ? WarnAt(current) : EraseAt(current));
    }

    private async Task WarnAsync()
    {
        var current = state.State;
        var email = Messages.DormantAccountWarning(current.Email!, current.Name!, ActiveSince(current), EraseAt(current, warnedAt: time.GetUtcNow()));
        await notices.NotifyAsync(email, campaign: null, (fresh, now) =>
        {
            if (!fresh.IsActive || fresh.DormantWarnedAt is not null || now < WarnAt(fresh))
            {
                return (false, false);
            }

            fresh.DormantWarnedAt = now;
            var text = $"Nobody has signed in to this account since {Day(ActiveSince(fresh))}. Sign in before {Day(EraseAt(fresh))} to keep it; otherwise we erase it and everything we hold about you.";
            fresh.Notifications.Add(new Notification(Guid.NewGuid().ToString("N"), now, "dormant-account", text));
            fresh.Audit.Add(new AuditEntry(now, "dormant-account-warned", $"no sign-in for {Options.DormantWarning.TotalDays:0} days; erasure due {Day(EraseAt(fresh))}"));
            return (true, true);
        });
        LogWarned(logger, host.Key);
    }

    /// <summary>
    /// Starts the account's erasure as a request of its own (recorded first, so a retry submits the same one). One-way: the
    /// request closes this account within its submission, and this grain is busy until its tick returns.
    /// </summary>
    private async Task EraseAsync()
    {
        var requestId = await state.UpdateAsync(time, _ =>
        {
            var current = state.State;
            return current.DormantErasure is { } known ? (false, known) : (true, current.DormantErasure = SubjectIds.New(host.Region));
        }, host.DeactivateOnIdle);
        var (_, capabilityHash) = Capabilities.New();
        await grains.GetGrain<IPrivacyRequestGrain>(UserKeys.ForRequest(requestId))
            .SubmitErasureOneWayAsync(new ErasureSubmission(host.Key, capabilityHash, ErasureReason));
        LogErased(logger, host.Key);
    }

    private static DateTimeOffset ActiveSince(UserState current) => current.LastSignInAt ?? current.CreatedAt!.Value;

    private DateTimeOffset WarnAt(UserState current) => ActiveSince(current) + Options.DormantWarning;

    /// <summary>No sooner than the dormant-account age, nor than the notice period after the warning actually went.</summary>
    private DateTimeOffset EraseAt(UserState current, DateTimeOffset? warnedAt = null)
    {
        var byAge = ActiveSince(current) + Options.DormantAccount;
        var byNotice = (warnedAt ?? current.DormantWarnedAt ?? WarnAt(current)) + (Options.DormantAccount - Options.DormantWarning);
        return byAge > byNotice ? byAge : byNotice;
    }

    private static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {GrainKey} warned: dormant")]
    private static partial void LogWarned(ILogger logger, string grainKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {GrainKey} dormant past its warning: erasure submitted")]
    private static partial void LogErased(ILogger logger, string grainKey);
}
