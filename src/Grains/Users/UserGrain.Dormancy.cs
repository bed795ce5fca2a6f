using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Grains.Users;

/// <summary>
/// Dormant accounts: an account nobody signed in to for <c>Retention:DormantWarning</c> is warned by email (and in its
/// notices); one still without a sign-in at <c>Retention:DormantAccount</c>, and at least as long after the warning as
/// the two settings are apart, is erased by an ordinary erasure request (reason <c>dormant-account</c>). A sign-in
/// starts the clock again. One reminder per account, due at the next of these or after <c>Retention:DormantCheckPeriod</c>.
/// </summary>
public sealed partial class UserGrain : IUserActivity
{
    private const string DormancyReminder = "dormancy";

    public async Task SignedInAsync()
    {
        if (!state.State.IsActive)
        {
            return;
        }

        await UpdateAsync(now =>
        {
            var current = state.State;
            current.LastSignInAt = now;
            current.DormantWarnedAt = null;
            return (true, true);
        });
        await ArmDormancyAsync(rearm: true);
    }

    /// <summary>The reminder's tick: warn, or erase, when due by the policy's clock; then keep the reminder due at the next step.</summary>
    private async Task CheckDormancyAsync()
    {
        if (!state.State.IsActive)
        {
            await UnregisterAsync(DormancyReminder);
            return;
        }

        var now = time.GetUtcNow();
        var current = state.State;
        if (current.DormantWarnedAt is null && now >= WarnAt(current))
        {
            await WarnDormantAsync();
        }
        else if (current.DormantWarnedAt is not null && now >= EraseAt(current))
        {
            await EraseDormantAsync();
            return;
        }

        await ArmDormancyAsync(rearm: false);
    }

    /// <summary>
    /// Registers the reminder due at the next step, or after the check period if that is sooner; unless
    /// <paramref name="rearm"/>, a registered reminder whose period brings it back before the next step is left as it is.
    /// </summary>
    private async Task ArmDormancyAsync(bool rearm)
    {
        var current = state.State;
        if (!current.IsActive)
        {
            return;
        }

        var now = time.GetUtcNow();
        var period = retention.Value.DormantCheckPeriod;
        var next = current.DormantWarnedAt is null ? WarnAt(current) : EraseAt(current);
        if (!rearm && current.DormancyDueAt is not null && next - now > period)
        {
            return;
        }

        var dueIn = next - now < period ? next - now : period;
        await this.RegisterOrUpdateReminder(DormancyReminder, dueIn > TimeSpan.Zero ? dueIn : TimeSpan.Zero, period);
        var dueAt = now + (dueIn > TimeSpan.Zero ? dueIn : TimeSpan.Zero);
        await UpdateAsync(_ => (state.State.DormancyDueAt != dueAt, state.State.DormancyDueAt = dueAt));
    }

    private async Task WarnDormantAsync()
    {
        var current = state.State;
        var eraseAt = EraseAt(current, warnedAt: time.GetUtcNow());
        await ArmOutboxAsync();
        var queued = Outbox.Prepare(Messages.DormantAccountWarning(current.Email!, current.Name!, ActiveSince(current), eraseAt), time.GetUtcNow() + Outbox.NoticeLifetime);
        var displaced = await UpdateAsync(now =>
        {
            var fresh = state.State;
            if (!fresh.IsActive || fresh.DormantWarnedAt is not null || now < WarnAt(fresh))
            {
                return (false, new List<string>());
            }

            fresh.DormantWarnedAt = now;
            var text = $"Nobody has signed in to this account since {Day(ActiveSince(fresh))}. Sign in before {Day(EraseAt(fresh))} to keep it; otherwise we erase it and everything we hold about you.";
            fresh.Notifications.Add(new Notification(Guid.NewGuid().ToString("N"), now, "dormant-account", text));
            fresh.Audit.Add(new AuditEntry(now, "dormant-account-warned", $"no sign-in for {retention.Value.DormantWarning.TotalDays:0} days; erasure due {Day(EraseAt(fresh))}"));
            return (true, Queue(fresh, queued));
        });
        Outbox.Withdraw(displaced);
        HandOutgoing();
        await ReportEmailFailuresAsync();
        LogDormantWarned(logger, Key);
    }

    /// <summary>
    /// Starts the account's erasure as a request of its own (recorded first, so a retry submits the same one). One-way: the
    /// request closes this account within its submission, and this grain is busy until its tick returns.
    /// </summary>
    private async Task EraseDormantAsync()
    {
        var requestId = await UpdateAsync(_ =>
        {
            var current = state.State;
            return current.DormantErasure is { } known ? (false, known) : (true, current.DormantErasure = SubjectIds.New(Region));
        });
        var (_, capabilityHash) = Capabilities.New();
        await GrainFactory.GetGrain<IPrivacyRequestGrain>(UserKeys.ForRequest(requestId))
            .SubmitErasureOneWayAsync(new ErasureSubmission(Key, capabilityHash, DormantErasureReason));
        LogDormantErased(logger, Key);
    }

    /// <summary>The dormant-account rule as the export shows it, with when it next acts on this account.</summary>
    private RetentionRule DormancyRule(UserState current) => new(
        "account",
        $"Kept while the account lives. Without a sign-in for {retention.Value.DormantWarning.TotalDays:0} days we warn you by email; "
        + $"without one for {retention.Value.DormantAccount.TotalDays:0} days (and at least {(retention.Value.DormantAccount - retention.Value.DormantWarning).TotalDays:0} days after the warning) "
        + "we erase the account and everything we hold about you. Signing in starts the count again.",
        current.DormantWarnedAt is null ? WarnAt(current) : EraseAt(current));

    /// <summary>Why a dormant account's erasure request was made.</summary>
    public const string DormantErasureReason = "dormant-account";

    private static DateTimeOffset ActiveSince(UserState current) => current.LastSignInAt ?? current.CreatedAt!.Value;

    private DateTimeOffset WarnAt(UserState current) => ActiveSince(current) + retention.Value.DormantWarning;

    /// <summary>No sooner than the dormant-account age, nor than the notice period after the warning actually went.</summary>
    private DateTimeOffset EraseAt(UserState current, DateTimeOffset? warnedAt = null)
    {
        var byAge = ActiveSince(current) + retention.Value.DormantAccount;
        var byNotice = (warnedAt ?? current.DormantWarnedAt ?? WarnAt(current)) + (retention.Value.DormantAccount - retention.Value.DormantWarning);
        return byAge > byNotice ? byAge : byNotice;
    }

    private static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private async Task UnregisterAsync(string reminderName)
    {
        if (await this.GetReminder(reminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {GrainKey} warned: dormant")]
    private static partial void LogDormantWarned(ILogger logger, string grainKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {GrainKey} dormant past its warning: erasure submitted")]
    private static partial void LogDormantErased(ILogger logger, string grainKey);
}
