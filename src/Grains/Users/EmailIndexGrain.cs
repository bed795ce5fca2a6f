using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Users;

/// <summary>
/// One email index entry: which account claims an address, the one-time code outstanding for it, and the messages to the
/// address not yet delivered. Pending sign-ups are personal data: a reminder destroys them when their code expires.
/// </summary>
[RegionPlacement]
public sealed partial class EmailIndexGrain(
    [PersistentState("email", StorageNames.Subjects)] IPersistentState<EmailIndexState> state,
    OutboxSender outbox,
    UserKeys keys,
    PolicyClock time,
    IOptions<AccountOptions> options,
    ILogger<EmailIndexGrain> logger) : Grain, IEmailIndexGrain, IOutboxOwner, IRemindable
{
    /// <summary>What an account releasing its old address after an email change passes as the request id.</summary>
    public const string EmailChange = "email-change";

    private const string ExpiryReminder = "code-expiry";

    private string Region => SubjectKey.RegionOf(this.GetGrainId());

    private AccountOptions Options => options.Value;

    public async Task<bool> IsClaimedAsync()
    {
        await FinishCreationAsync();
        return state.State.UserId is not null;
    }

    public async Task<string?> OwnerAsync()
    {
        await FinishCreationAsync();
        return state.State.UserId;
    }

    public async Task StartSignUpAsync(SignUpDetails details)
    {
        ArgumentNullException.ThrowIfNull(details);
        EnsureAddressed(details.Email);
        await FinishCreationAsync();
        if (state.State.UserId is not null)
        {
            // Nothing is created; the owner learns someone tried, the requester learns nothing.
            await SendLimitedAsync(Messages.SignUpForKnownAddress(details.Email));
            return;
        }

        var freshId = SubjectIds.New(Region);
        await IssueCodeAsync(
            PendingKind.SignUp,
            details,
            current => current.UserId is not null ? null : current.Pending is { Kind: PendingKind.SignUp, UserId: { } earlier } ? earlier : freshId,
            code => Messages.SignUpCode(details.Email, details.Name, code, Options.CodeLifetime));
    }

    public async Task StartSignInAsync(string email)
    {
        EnsureAddressed(email);
        await FinishCreationAsync();
        if (state.State.UserId is not { } userId)
        {
            // Unknown address: nothing is written and nothing is sent.
            return;
        }

        await IssueCodeAsync(PendingKind.SignIn, null, current => current.UserId == userId ? userId : null, code => Messages.SignInCode(email, code, Options.CodeLifetime));
    }

    public async Task StartEmailChangeAsync(string email, string userId)
    {
        EnsureAddressed(email);
        await FinishCreationAsync();
        if (state.State.UserId == userId)
        {
            return;
        }

        if (state.State.UserId is not null)
        {
            await SendLimitedAsync(Messages.EmailChangeToKnownAddress(email));
            return;
        }

        await IssueCodeAsync(PendingKind.EmailChange, null, current => current.UserId is null ? userId : null, code => Messages.EmailChangeCode(email, code, Options.CodeLifetime));
    }

    public async Task<string?> VerifyAsync(string code)
    {
        await FinishCreationAsync();
        if (await CheckCodeAsync(code, kind => kind is PendingKind.SignUp or PendingKind.SignIn) is not { } pending)
        {
            return null;
        }

        if (pending.Kind == PendingKind.SignIn)
        {
            return state.State.UserId;
        }

        var details = pending.SignUp!;
        var account = new NewAccount(pending.UserId!, details.Email, details.Name, details.BirthDate);
        await UpdateAsync(() =>
        {
            if (state.State.UserId is not null)
            {
                return (false, false);
            }

            state.State.UserId = account.UserId;
            state.State.Creating = account;
            return (true, true);
        });
        await FinishCreationAsync();
        LogSignedUp(logger, this.GetPrimaryKeyString());
        return state.State.UserId;
    }

    public async Task<bool> ConfirmEmailChangeAsync(string userId, string code)
    {
        await FinishCreationAsync();
        if (state.State.UserId == userId)
        {
            // Already moved (a retried confirmation after a crash).
            return true;
        }

        if (await CheckCodeAsync(code, kind => kind == PendingKind.EmailChange) is not { } pending || pending.UserId != userId)
        {
            return false;
        }

        return await UpdateAsync(() =>
        {
            if (state.State.UserId is not null)
            {
                return (false, false);
            }

            state.State.UserId = userId;
            return (true, true);
        });
    }

    public Task<ErasureReceipt?> PreviewErasureAsync(string requestId)
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

        return Task.FromResult(state.RecordExists ? new ErasureReceipt(requestId, Region, time.GetUtcNow(), counts, "email-index") : null);
    }

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
            await state.DeleteAsync(() => true, DeactivateOnIdle);
            await DisarmAsync();
            DeactivateOnIdle();
        }
        else
        {
            var withdrawn = await UpdateAsync(() =>
            {
                var removed = OutgoingMessages.RemoveTopic(state.State.Outgoing, CodeTopic);
                var changed = state.State.Pending is not null || removed.Count > 0;
                state.State.Pending = null;
                return (changed, removed);
            });
            await ForgetSentAsync(requestId, withdrawn);
        }

        LogReleased(logger, this.GetPrimaryKeyString());
        return new ErasureReceipt(requestId, Region, time.GetUtcNow(), counts, "email-index");
    }

    /// <summary>
    /// Withdraws the messages still queued; for an erasure (not an <see cref="EmailChange"/>, where the person keeps the
    /// old mailbox) also destroys every copy the outbox keeps of what was sent to the address.
    /// </summary>
    private async Task ForgetSentAsync(string requestId, IReadOnlyCollection<string> queued)
    {
        if (requestId == EmailChange)
        {
            outbox.Withdraw(queued);
            return;
        }

        await outbox.DestroyCopiesAsync(this.GetGrainId(), queued);
    }

    /// <summary>Creates the account of a verified sign-up if a crash interrupted it; idempotent.</summary>
    private async Task FinishCreationAsync()
    {
        if (state.State.Creating is not { } account)
        {
            return;
        }

        await GrainFactory.GetGrain<IUserGrain>(keys.ForUser(account.UserId)).CreateAsync(account);
        await UpdateAsync(() => (true, state.State.Creating = null));
    }

    /// <summary>An entry that claims nothing and has nothing pending leaves no row behind.</summary>
    private async Task ForgetIfEmptyAsync()
    {
        if (state.RecordExists && state.State.IsEmpty)
        {
            await state.DeleteAsync(() => state.State.IsEmpty, DeactivateOnIdle);
            await DisarmAsync();
            DeactivateOnIdle();
        }
    }

    /// <summary>The address must be the one this entry is keyed by: a caller cannot attach an address to another entry.</summary>
    private void EnsureAddressed(string email)
    {
        if (keys.ForEmail(Region, email) != this.GetPrimaryKeyString())
        {
            throw new ArgumentException("The address does not belong to this index entry.", nameof(email));
        }
    }

    private Task<T> UpdateAsync<T>(Func<(bool Changed, T Result)> decide) => state.UpdateAsync(decide, DeactivateOnIdle);

    [LoggerMessage(Level = LogLevel.Information, Message = "Email index {GrainKey}: sign-up verified, account created")]
    private static partial void LogSignedUp(ILogger logger, string grainKey);

    [LoggerMessage(Level = LogLevel.Information, Message = "Email index {GrainKey} released")]
    private static partial void LogReleased(ILogger logger, string grainKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Email index {GrainKey}: nothing sent (message rate limit reached, or the entry changed meanwhile)")]
    private static partial void LogRateLimited(ILogger logger, string grainKey);
}
