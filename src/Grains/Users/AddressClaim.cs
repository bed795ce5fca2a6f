using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Users;

/// <summary>
/// Which account claims an address: claimed by a verified sign-up (whose account is then created, resumed after a
/// crash) or a confirmed email change, and released by erasure or by the account moving away.
/// </summary>
public sealed partial class AddressClaim(
    IPersistentState<EmailIndexState> state,
    SubjectOutbox<EmailIndexState> outbox,
    UserKeys keys,
    KeyShredder shredder,
    IGrainFactory grains,
    TimeProvider time,
    ISubjectHost host,
    ILogger logger)
{
    /// <summary>The account that claims the address, once a sign-up a crash interrupted is finished.</summary>
    public async Task<string?> OwnerAsync()
    {
        await FinishCreationAsync();
        return state.State.UserId;
    }

    /// <summary>Claims the address for a verified sign-up and creates its account; the account's user id.</summary>
    public async Task<string?> ClaimForSignUpAsync(PendingCode pending)
    {
        ArgumentNullException.ThrowIfNull(pending);
        var details = pending.SignUp!;
        var account = new NewAccount(pending.UserId!, details.Email, details.Name, details.BirthDate);
        await state.UpdateAsync(() =>
        {
            if (state.State.UserId is not null)
            {
                return (false, false);
            }

            state.State.UserId = account.UserId;
            state.State.Creating = account;
            return (true, true);
        }, host.DeactivateOnIdle);
        await FinishCreationAsync();
        LogSignedUp(logger, host.Key);
        return state.State.UserId;
    }

    /// <summary>Claims the address for an account moving to it; <c>false</c> if another claims it meanwhile.</summary>
    public Task<bool> ClaimForMoveAsync(string userId) => state.UpdateAsync(() =>
    {
        if (state.State.UserId is not null)
        {
            return (false, false);
        }

        state.State.UserId = userId;
        return (true, true);
    }, host.DeactivateOnIdle);

    /// <summary>What erasing the entry now would destroy; <c>null</c> if there is no entry.</summary>
    public ErasureReceipt? Preview(string requestId)
    {
        var current = state.State;
        var counts = ImmutableDictionary<DataCategory, int>.Empty;
        if (current.UserId is not null || current.Creating is not null)
        {
            counts = counts.Add(DataCategory.Identifier, 1);
        }

        if (current.Pending is not null)
        {
            counts = counts.Add(DataCategory.Account, 1);
        }

        return state.RecordExists ? new ErasureReceipt(requestId, host.Region, time.GetUtcNow(), counts, "email-index") : null;
    }

    /// <summary>
    /// Releases what the entry holds for the account <paramref name="userKey"/>: the whole entry if it claims the address
    /// (or claims nothing), otherwise only that account's pending code. <c>null</c> if it holds nothing of the account.
    /// </summary>
    public async Task<ErasureReceipt?> ReleaseAsync(string userKey, string requestId)
    {
        var current = state.State;
        bool Is(string? userId) => userId is not null && keys.ForUser(userId) == userKey;
        var claimed = Is(current.UserId) || Is(current.Creating?.UserId);
        var pendingForUser = Is(current.Pending?.UserId);
        if (!state.RecordExists || !(claimed || pendingForUser))
        {
            return null;
        }

        var counts = ImmutableDictionary<DataCategory, int>.Empty;
        if (claimed)
        {
            counts = counts.Add(DataCategory.Identifier, 1);
        }

        if (pendingForUser)
        {
            counts = counts.SetItem(DataCategory.Account, 1);
        }

        if (claimed || current.UserId is null)
        {
            // Nothing more goes to the address, and after an erasure nothing sent to it stays in the outbox's files.
            await ForgetSentAsync(requestId, [.. current.Outgoing.Select(message => message.Id)]);

            // The entry's data key too: a backup of the entry (its address claim, its sealed messages) never opens again.
            await shredder.ShredAsync(host.Region, host.Key);
            await state.DeleteAsync(() => true, host.DeactivateOnIdle);
            await host.UnregisterReminderAsync(OneTimeCodes.Reminder);
            host.DeactivateOnIdle();
        }
        else
        {
            var withdrawn = await state.UpdateAsync(() =>
            {
                var removed = OutgoingMessages.RemoveTopic(state.State.Outgoing, OneTimeCodes.CodeTopic);
                var changed = state.State.Pending is not null || removed.Count > 0;
                state.State.Pending = null;
                return (changed, removed);
            }, host.DeactivateOnIdle);
            await ForgetSentAsync(requestId, withdrawn);
        }

        LogReleased(logger, host.Key);
        return new ErasureReceipt(requestId, host.Region, time.GetUtcNow(), counts, "email-index");
    }

    /// <summary>Creates the account of a verified sign-up if a crash interrupted it; idempotent.</summary>
    public async Task FinishCreationAsync()
    {
        if (state.State.Creating is not { } account)
        {
            return;
        }

        await grains.GetGrain<IUserGrain>(keys.ForUser(account.UserId)).CreateAsync(account);
        await state.UpdateAsync(() => (true, state.State.Creating = null), host.DeactivateOnIdle);
    }

    /// <summary>
    /// Withdraws the messages still queued; for an erasure (not an <see cref="EmailChange.ReleaseRequest"/>, where the
    /// person keeps the old mailbox) also destroys every copy the outbox keeps of what was sent to the address.
    /// </summary>
    private async Task ForgetSentAsync(string requestId, IReadOnlyCollection<string> queued)
    {
        if (requestId == EmailChange.ReleaseRequest)
        {
            outbox.Withdraw(queued);
            return;
        }

        await outbox.DestroyCopiesAsync(queued);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Email index {GrainKey}: sign-up verified, account created")]
    private static partial void LogSignedUp(ILogger logger, string grainKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Email index {GrainKey} released")]
    private static partial void LogReleased(ILogger logger, string grainKey);
}
