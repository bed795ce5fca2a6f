namespace PrimeDirective.Grains.Storage;

/// <summary>
/// A grain's one persisted document as the components that own its slices share it: each component reads and changes
/// only its own members, and every change goes the one way (decide on the state as it is, write with the ETag, on a
/// conflict re-read and decide again; a state whose histories are bounded is bounded before each write).
/// </summary>
/// <param name="state">The grain's persistent state.</param>
/// <param name="time">The policy's clock: each decision is told the time it is made at.</param>
/// <param name="onUnknownOutcome">What to do when a write failed without a conflict (the grain deactivates: memory may differ from storage).</param>
public sealed class SubjectDocument<TState>(IPersistentState<TState> state, TimeProvider time, Action onUnknownOutcome)
{
    /// <summary>The document as last read or written.</summary>
    public TState State => state.State;

    /// <summary>Whether the document is stored.</summary>
    public bool RecordExists => state.RecordExists;

    /// <summary>The stored version this activation last saw.</summary>
    public string? Etag => state.Etag;

    /// <summary>The persistent state itself, for the shared helpers that take it (proofs, ledgers, reminders).</summary>
    public IPersistentState<TState> Persisted => state;

    /// <summary>The grain's reaction to a write whose outcome is unknown.</summary>
    public Action OnUnknownOutcome => onUnknownOutcome;

    /// <summary>The policy's time now.</summary>
    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Decides and writes when the decision changed something; see <see cref="StateWrites"/>.</summary>
    public Task<T> UpdateAsync<T>(Func<DateTimeOffset, (bool Changed, T Result)> decide)
    {
        ArgumentNullException.ThrowIfNull(decide);
        return state.UpdateAsync(
            () =>
            {
                var decided = decide(time.GetUtcNow());
                if (decided.Changed && state.State is IBoundedState bounded)
                {
                    bounded.Bound();
                }

                return decided;
            },
            onUnknownOutcome);
    }
}
