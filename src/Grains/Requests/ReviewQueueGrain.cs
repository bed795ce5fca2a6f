using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Regions;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Requests;

/// <summary>The requests of one region that wait for an officer: ids only, nothing personal.</summary>
[RegionPlacement]
public sealed class ReviewQueueGrain(
    [PersistentState("reviews", StorageNames.Subjects)] IPersistentState<ReviewQueueState> state) : Grain, IReviewQueueGrain
{
    public Task AddAsync(string requestId) =>
        state.UpdateAsync(() => (!state.State.RequestIds.Contains(requestId), AddId(requestId)), DeactivateOnIdle);

    public Task RemoveAsync(string requestId) =>
        state.UpdateAsync(() => (state.State.RequestIds.Remove(requestId), true), DeactivateOnIdle);

    public Task<ImmutableArray<string>> ListAsync() => Task.FromResult(state.State.RequestIds.ToImmutableArray());

    private bool AddId(string requestId)
    {
        if (!state.State.RequestIds.Contains(requestId))
        {
            state.State.RequestIds.Add(requestId);
        }

        return true;
    }
}

/// <summary>The stored state of a review queue.</summary>
public sealed class ReviewQueueState
{
    public List<string> RequestIds { get; set; } = [];
}
