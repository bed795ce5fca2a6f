using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Users;

/// <summary>
/// A fresh proof before an irreversible action: a code sent to the account's current address, bound to the account and
/// to the action, living <c>Accounts:StepUpCodeLifetime</c>, used up by its first check. A bearer token alone is not it.
/// </summary>
public sealed class StepUp(IPersistentState<UserState> state, UserKeys keys, IGrainFactory grains, ISubjectHost host)
{
    /// <summary>Sends a code for <paramref name="action"/>; <c>false</c> if the account is not active or the action is unknown.</summary>
    public async Task<bool> StartAsync(string action)
    {
        if (!state.State.IsActive || !StepUpActions.IsKnown(action) || state.State.Email is not { } email)
        {
            return false;
        }

        await EmailIndex(email).StartStepUpAsync(email, state.State.UserId!, action);
        return true;
    }

    /// <summary>Whether <paramref name="code"/> is the code sent for <paramref name="action"/> to the account's current address.</summary>
    public async Task<bool> ConfirmAsync(string action, string code) =>
        state.State.IsActive && StepUpActions.IsKnown(action) && OneTimeCode.IsWellFormed(code) && state.State.Email is { } email &&
        await EmailIndex(email).ConfirmStepUpAsync(state.State.UserId!, action, code);

    private IEmailIndexGrain EmailIndex(string email) => grains.GetGrain<IEmailIndexGrain>(keys.ForEmail(host.Region, email));
}
