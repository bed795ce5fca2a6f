using PrimeDirective.Grains.Interfaces.Users;

namespace PrimeDirective.Grains.Users;

/// <summary>Moving an account to another address: confirmed by a code sent there, then the index entry moves with it.</summary>
public sealed partial class UserGrain
{
    public async Task<bool> StartEmailChangeAsync(string newEmail)
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
        await UpdateAsync(_ => (state.State.PendingEmail != newEmail, state.State.PendingEmail = newEmail));
        await EmailIndex(newEmail).StartEmailChangeAsync(newEmail, state.State.UserId!);
        return true;
    }

    public async Task<EmailChangeOutcome> ConfirmEmailChangeAsync(string newEmail, string code)
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
        await UpdateAsync(now =>
        {
            var current = state.State;
            current.ReleasingEmail = current.Email;
            current.Email = newEmail;
            current.PendingEmail = null;
            current.Audit.Add(new AuditEntry(now, "email-changed", "person's request, confirmed by a code sent to the new address"));
            current.Notifications.Add(new Notification(Guid.NewGuid().ToString("N"), now, "email-changed", "Your account's email address was changed."));
            return (true, true);
        });
        await ReleaseOldEmailAsync();
        return EmailChangeOutcome.Changed;
    }

    private async Task ReleaseOldEmailAsync()
    {
        if (state.State.ReleasingEmail is { } old)
        {
            await EmailIndex(old).ReleaseAsync(Key, EmailIndexGrain.EmailChange);
        }

        await UpdateAsync(_ => (state.State.ReleasingEmail is not null, state.State.ReleasingEmail = null));
    }
}
