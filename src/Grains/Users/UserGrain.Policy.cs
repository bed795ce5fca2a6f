using Microsoft.Extensions.DependencyInjection;
using PrimeDirective.Grains.Interfaces.Notices;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Notices;

namespace PrimeDirective.Grains.Users;

/// <summary>
/// Acceptance by continued use: the first authenticated use after a version took effect records, in the consent
/// history, that the person continued under it (a substantive version: only once its announcement reached them by
/// email). Consents carry the version in effect, from the registry.
/// </summary>
public sealed partial class UserGrain : IUserPolicyUse
{
    /// <summary>How a continued-use entry of the consent history says it was given.</summary>
    public const string ContinuedUse = "continued-use";

    private PolicySchedule Policy => ServiceProvider.GetRequiredService<PolicySchedule>();

    public async Task<bool> UseAsync()
    {
        if (!state.State.IsActive)
        {
            return false;
        }

        var inEffect = await Policy.InEffectAsync();

        // A version already in effect at sign-up was agreed to then; only later ones are accepted by continuing, and a
        // substantive one only by a person who was told: its announcement's email was delivered.
        if (inEffect.EffectiveAt > state.State.CreatedAt && state.State.ContinuedUnder != inEffect.Version &&
            (!inEffect.Substantive || state.State.NoticesDelivered.Contains(NoticeKeys.PolicyChange(inEffect.Version))))
        {
            await UpdateAsync(now =>
            {
                var current = state.State;
                if (!current.IsActive || current.ContinuedUnder == inEffect.Version)
                {
                    return (false, true);
                }

                current.ContinuedUnder = inEffect.Version;
                current.Consents.Add(new ConsentEvent(DataPurpose.ServiceProvision, true, now, inEffect.Version, ContinuedUse));
                current.Audit.Add(new AuditEntry(now, "policy-accepted", $"continued use under policy version {inEffect.Version}"));
                return (true, true);
            });
        }

        return state.State.IsActive;
    }

    /// <summary>The version in effect now, from the registry (not from configuration).</summary>
    private async Task<string> PolicyVersionInEffectAsync() => (await Policy.InEffectAsync()).Version;
}
