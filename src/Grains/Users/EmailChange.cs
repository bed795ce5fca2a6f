using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Users;

/// <summary>Moving an account to another address: confirmed by a code sent there, then the index entry moves with it.</summary>
public sealed class EmailChange(IPersistentState<UserState> state, UserKeys keys, IGrainFactory grains, TimeProvider time, ISubjectHost host, SubjectOutbox<UserState> outbox)
{
    /// <summary>What an account releasing its old address after an email change passes to its index entry as the request id.</summary>
    public const string ReleaseRequest = "email-change";

    /// <summary>Sends a code to <paramref name="newEmail"/>; <c>false</c> if the account is not active.</summary>
    public async Task<bool> StartAsync(string newEmail)
    {
        if (!state.State.IsActive)
        {
            return false;
        }

        if (newEmail == state.State.Email)
        {
            return true;
        }

        // Remembered first, so an erasure starting now also reaches the entry the change may create.
        await state.UpdateAsync(time, _ => (state.State.PendingEmail != newEmail, state.State.PendingEmail = newEmail), host.DeactivateOnIdle);
        await EmailIndex(newEmail).StartEmailChangeAsync(newEmail, state.State.UserId!);
        return true;
    }

    /// <summary>Moves the account to <paramref name="newEmail"/> if <paramref name="code"/> is the one sent there.</summary>
    public async Task<EmailChangeOutcome> ConfirmAsync(string newEmail, string code)
    {
        if (!state.State.IsActive)
        {
            return EmailChangeOutcome.Unknown;
        }

        if (state.State.PendingEmail != newEmail || !await EmailIndex(newEmail).ConfirmEmailChangeAsync(state.State.UserId!, code))
        {
            return EmailChangeOutcome.InvalidCode;
        }

        // The new entry is claimed; the account moves, then the old entry is released (resumed on activation after a crash).
        await state.UpdateAsync(time, now =>
        {
            var current = state.State;
            current.ReleasingEmail = current.Email;
            current.Email = newEmail;
            current.PendingEmail = null;
            current.Audit.Add(new AuditEntry(now, "email-changed", "person's request, confirmed by a code sent to the new address"));
            current.Notifications.Add(new Notification(Guid.NewGuid().ToString("N"), now, "email-changed", "Your account's email address was changed."));
            return (true, true);
        }, host.DeactivateOnIdle);
        await ReleaseOldAsync();
        return EmailChangeOutcome.Changed;
    }

    /// <summary>Releases the previous address's index entry, if a change left one; on activation too, after a crash.</summary>
    public async Task ReleaseOldAsync()
    {
        if (state.State.ReleasingEmail is not { } old)
        {
            return;
        }

        var entry = EmailIndex(old);
        await entry.ReleaseAsync(host.Key, ReleaseRequest);

        // The released entry's key is destroyed, so nothing would erase the mail kept of what was sent to the old address: the account takes it.
        await outbox.AdoptCopiesAsync(entry.GetGrainId());
        await state.UpdateAsync(time, _ => (state.State.ReleasingEmail is not null, state.State.ReleasingEmail = null), host.DeactivateOnIdle);
    }

    private IEmailIndexGrain EmailIndex(string email) => grains.GetGrain<IEmailIndexGrain>(keys.ForEmail(host.Region, email));
}
