using Orleans.Storage;

namespace PrimeDirective.Grains.Storage;

/// <summary>The one way subject grains change their state: decide, persist with the ETag, and on a conflict re-read and decide again.</summary>
public static class StateWrites
{
    private const int MaxAttempts = 3;

    /// <summary>
    /// Applies <paramref name="decide"/> and persists when it changed something. A write conflict re-reads the state
    /// and decides again; any other failure calls <paramref name="onUnknownOutcome"/> (deactivate: the in-memory
    /// state may now differ from storage) and rethrows.
    /// </summary>
    public static async Task<TResult> UpdateAsync<TState, TResult>(
        this IPersistentState<TState> state, Func<(bool Changed, TResult Result)> decide, Action onUnknownOutcome)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(decide);
        ArgumentNullException.ThrowIfNull(onUnknownOutcome);
        for (var attempt = 1; ; attempt++)
        {
            var (changed, result) = decide();
            if (!changed)
            {
                return result;
            }

            try
            {
                await state.WriteStateAsync();
                return result;
            }
            catch (InconsistentStateException) when (attempt < MaxAttempts)
            {
                await state.ReadStateAsync();
            }
            catch
            {
                onUnknownOutcome();
                throw;
            }
        }
    }

    /// <summary>
    /// <see cref="UpdateAsync{TState, TResult}(IPersistentState{TState}, Func{ValueTuple{bool, TResult}}, Action)"/> for
    /// a subject whose histories stay bounded: each decision reads the policy's time, and a change is bounded before it is written.
    /// </summary>
    public static Task<TResult> UpdateAsync<TState, TResult>(
        this IPersistentState<TState> state, TimeProvider time, Func<DateTimeOffset, (bool Changed, TResult Result)> decide, Action onUnknownOutcome)
        where TState : IBoundedState
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(decide);
        return state.UpdateAsync(
            () =>
            {
                var decided = decide(time.GetUtcNow());
                if (decided.Changed)
                {
                    state.State.Bound();
                }

                return decided;
            },
            onUnknownOutcome);
    }

    /// <summary>Deletes the state's row (DeleteStateOnClear), re-reading on a conflict while <paramref name="stillWanted"/> holds.</summary>
    /// <returns>Whether the row was deleted.</returns>
    public static async Task<bool> DeleteAsync<TState>(this IPersistentState<TState> state, Func<bool> stillWanted, Action onUnknownOutcome)
        where TState : new()
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(stillWanted);
        ArgumentNullException.ThrowIfNull(onUnknownOutcome);
        for (var attempt = 1; ; attempt++)
        {
            if (!stillWanted())
            {
                return false;
            }

            try
            {
                await state.ClearStateAsync();
                state.State = new TState();
                return true;
            }
            catch (InconsistentStateException) when (attempt < MaxAttempts)
            {
                await state.ReadStateAsync();
            }
            catch
            {
                onUnknownOutcome();
                throw;
            }
        }
    }
}
