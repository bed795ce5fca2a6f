using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Retention;
using PrimeDirective.Grains.Sealing;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Users;

/// <summary>
/// One email index entry: which account claims an address (<see cref="AddressClaim"/>), the one-time code outstanding
/// for it (<see cref="OneTimeCodes"/>), and the messages to the address not yet delivered (a <see cref="SubjectOutbox{TState}"/>).
/// Pending sign-ups are personal data: the entry's reminder destroys them when their code expires.
/// </summary>
[RegionPlacement]
public sealed class EmailIndexGrain(
    [PersistentState("email", StorageNames.Subjects)] IPersistentState<EmailIndexState> state,
    OutboxSender sender,
    UserKeys keys,
    PolicyClock time,
    IOptions<AccountOptions> options,
    KeyShredder shredder,
    ILogger<EmailIndexGrain> logger) : Grain, IEmailIndexGrain, IOutboxOwner, IRemindable
{
    private ISubjectHost Host => field ??= new GrainHost(GrainContext);

    private SubjectOutbox<EmailIndexState> Outbox => field ??= new(state, sender, Host);

    private OneTimeCodes Codes => field ??= new(state, Outbox, options, time, Host, logger);

    private AddressClaim Claim => field ??= new(state, Outbox, keys, shredder, GrainFactory, time, Host, logger);

    private AccountOptions Options => options.Value;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // After a crash, or a move to another silo, no sender holds them any more.
        Outbox.HandAll();
        return Task.CompletedTask;
    }

    public async Task<bool> IsClaimedAsync() => await Claim.OwnerAsync() is not null;

    public Task<string?> OwnerAsync() => Claim.OwnerAsync();

    public async Task StartSignUpAsync(SignUpDetails details)
    {
        ArgumentNullException.ThrowIfNull(details);
        EnsureAddressed(details.Email);
        if (await Claim.OwnerAsync() is not null)
        {
            // Nothing is created; the owner learns someone tried, the requester learns nothing.
            await Codes.SendLimitedAsync(Messages.SignUpForKnownAddress(details.Email));
            return;
        }

        var freshId = SubjectIds.New(Host.Region);
        await Codes.IssueAsync(
            PendingKind.SignUp,
            details,
            current => current.UserId is not null ? null : current.Pending is { Kind: PendingKind.SignUp, UserId: { } earlier } ? earlier : freshId,
            code => Messages.SignUpCode(details.Email, details.Name, code, Options.CodeLifetime));
    }

    public async Task StartSignInAsync(string email)
    {
        EnsureAddressed(email);
        if (await Claim.OwnerAsync() is not { } userId)
        {
            // Unknown address: nothing is written and nothing is sent.
            return;
        }

        await Codes.IssueAsync(PendingKind.SignIn, null, current => current.UserId == userId ? userId : null, code => Messages.SignInCode(email, code, Options.CodeLifetime));
    }

    public async Task StartEmailChangeAsync(string email, string userId)
    {
        EnsureAddressed(email);
        var owner = await Claim.OwnerAsync();
        if (owner == userId)
        {
            return;
        }

        if (owner is not null)
        {
            await Codes.SendLimitedAsync(Messages.EmailChangeToKnownAddress(email));
            return;
        }

        await Codes.IssueAsync(PendingKind.EmailChange, null, current => current.UserId is null ? userId : null, code => Messages.EmailChangeCode(email, code, Options.CodeLifetime));
    }

    public async Task<string?> VerifyAsync(string code)
    {
        await Claim.FinishCreationAsync();
        return await Codes.CheckAsync(code, kind => kind is PendingKind.SignUp or PendingKind.SignIn) switch
        {
            null => null,
            { Kind: PendingKind.SignIn } => state.State.UserId,
            var signUp => await Claim.ClaimForSignUpAsync(signUp),
        };
    }

    public async Task StartOpenDsrConfirmationAsync(string email, string inboundKey, string controllerName, string confirmUrl, string requestType = "erasure")
    {
        EnsureAddressed(email);
        if (await Claim.OwnerAsync() is not { } userId)
        {
            // Unknown address: nothing is written and nothing is sent; the controller's answer is the same.
            return;
        }

        await Codes.IssueAsync(
            PendingKind.OpenDsrConfirmation,
            null,
            current => current.UserId == userId ? userId : null,
            code => requestType == "erasure"
                ? Messages.OpenDsrConfirmationCode(email, controllerName, confirmUrl, code, Options.CodeLifetime)
                : Messages.OpenDsrReleaseCode(email, controllerName, confirmUrl, code, Options.CodeLifetime),
            inboundKey);
    }

    public async Task StartStepUpAsync(string email, string userId, string action)
    {
        EnsureAddressed(email);
        if (!StepUpActions.IsKnown(action) || await Claim.OwnerAsync() != userId)
        {
            return;
        }

        await Codes.IssueAsync(
            PendingKind.StepUp,
            null,
            current => current.UserId == userId ? userId : null,
            code => Messages.StepUpCode(email, code, Options.StepUpCodeLifetime),
            action,
            Options.StepUpCodeLifetime);
    }

    public async Task<bool> ConfirmStepUpAsync(string userId, string action, string code) =>
        await Codes.CheckAsync(code, kind => kind == PendingKind.StepUp) is { Purpose: { } purpose, UserId: { } owner } &&
        purpose == action && owner == userId && state.State.UserId == userId;

    public async Task<string?> ConfirmOpenDsrAsync(string code, string inboundKey) =>
        await Codes.CheckAsync(code, kind => kind == PendingKind.OpenDsrConfirmation) is { Purpose: { } purpose, UserId: { } userId } && purpose == inboundKey &&
        state.State.UserId == userId
            ? keys.ForUser(userId)
            : null;

    public async Task<bool> ConfirmEmailChangeAsync(string userId, string code)
    {
        if (await Claim.OwnerAsync() == userId)
        {
            // Already moved (a retried confirmation after a crash).
            return true;
        }

        return await Codes.CheckAsync(code, kind => kind == PendingKind.EmailChange) is { } pending && pending.UserId == userId &&
            await Claim.ClaimForMoveAsync(userId);
    }

    public Task<ErasureReceipt?> PreviewErasureAsync(string requestId) => Task.FromResult(Claim.Preview(requestId));

    public Task<ErasureReceipt?> ReleaseAsync(string userKey, string requestId) => Claim.ReleaseAsync(userKey, requestId);

    public Task MessageHandledAsync(string messageId, bool delivered) => Outbox.HandledAsync(messageId, delivered);

    public Task ReceiveReminder(string reminderName, TickStatus status) => reminderName == OneTimeCodes.Reminder ? Codes.ExpireAsync() : Task.CompletedTask;

    /// <summary>The address must be the one this entry is keyed by: a caller cannot attach an address to another entry.</summary>
    private void EnsureAddressed(string email)
    {
        if (keys.ForEmail(Host.Region, email) != Host.Key)
        {
            throw new ArgumentException("The address does not belong to this index entry.", nameof(email));
        }
    }
}
