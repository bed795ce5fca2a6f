using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Notices;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Notices;

/// <summary>The breaches declared in a home region: ids only (each breach's campaign holds the rest), for the officers' list.</summary>
[RegionPlacement]
public sealed class BreachRegisterGrain(
    [PersistentState("breaches", StorageNames.Subjects)] IPersistentState<BreachRegisterState> state) : Grain, IBreachRegisterGrain
{
    public Task AddAsync(string breachId)
    {
        ArgumentException.ThrowIfNullOrEmpty(breachId);
        return state.UpdateAsync(
            () =>
            {
                if (state.State.Ids.Contains(breachId, StringComparer.Ordinal))
                {
                    return (false, false);
                }

                state.State.Ids.Add(breachId);
                return (true, true);
            },
            DeactivateOnIdle);
    }

    public Task<ImmutableArray<string>> ListAsync() => Task.FromResult<ImmutableArray<string>>([.. state.State.Ids]);
}
