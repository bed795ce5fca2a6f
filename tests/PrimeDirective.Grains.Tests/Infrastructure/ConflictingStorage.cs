using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Tests.Infrastructure;

/// <summary>
/// The subjects' grain storage with write conflicts on demand. <see cref="BeforeNextWrite{TState}"/> plays another
/// activation: it loads the stored state, changes it and stores it just before the grain's own write, which then meets
/// a stale ETag (<see cref="InconsistentStateException"/> from the memory storage itself). <see cref="FailNextWrites"/>
/// makes the next writes throw without changing anything. Reads and writes are counted per grain key.
/// </summary>
public sealed class ConflictingStorage
{
    private readonly ConcurrentDictionary<string, Plan> _plans = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _reads = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _writes = new(StringComparer.Ordinal);

    /// <summary>
    /// Before the next write of <paramref name="grainKey"/> whose state satisfies <paramref name="when"/>, stores
    /// <paramref name="change"/> applied to what is stored; completes once that competing write is stored.
    /// </summary>
    public Task BeforeNextWrite<TState>(string grainKey, Func<TState, bool> when, Action<TState> change)
    {
        var plan = new Plan(state => state is TState typed && when(typed), state => change((TState)state), null, 1);
        _plans[grainKey] = plan;
        return plan.Done.Task;
    }

    /// <summary>The next <paramref name="count"/> writes of <paramref name="grainKey"/> throw <paramref name="failure"/> (a conflict unless given) and store nothing.</summary>
    public Task FailNextWrites(string grainKey, int count, Exception? failure = null)
    {
        var plan = new Plan(_ => true, null, failure ?? new InconsistentStateException("Injected write conflict."), count);
        _plans[grainKey] = plan;
        return plan.Done.Task;
    }

    /// <summary>How many times the grain of <paramref name="grainKey"/> read its state from storage.</summary>
    public int ReadsOf(string grainKey) => _reads.GetValueOrDefault(grainKey);

    /// <summary>How many writes of the grain of <paramref name="grainKey"/> were stored.</summary>
    public int WritesOf(string grainKey) => _writes.GetValueOrDefault(grainKey);

    /// <summary>Wraps the subjects' storage of the silo <paramref name="silo"/> configures (call after the service's own configuration).</summary>
    public void Install(ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var subjects = silo.Services.Last(service => service.ServiceType == typeof(IGrainStorage) && Equals(service.ServiceKey, StorageNames.Subjects));
        silo.Services.Remove(subjects);
        silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Subjects, (provider, key) =>
            new Wrapper((IGrainStorage)subjects.KeyedImplementationFactory!(provider, key), this));
    }

    private sealed class Plan(Func<object?, bool> when, Action<object>? change, Exception? failure, int count)
    {
        private int _left = count;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Func<object?, bool> When { get; } = when;

        public Action<object>? Change { get; } = change;

        public Exception? Failure { get; } = failure;

        /// <summary>Takes one use of the plan; <c>false</c> once used up.</summary>
        public bool Take() => Interlocked.Decrement(ref _left) >= 0;

        public bool UsedUp => Volatile.Read(ref _left) <= 0;
    }

    private sealed class Wrapper(IGrainStorage inner, ConflictingStorage owner) : IGrainStorage
    {
        public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            owner._reads.AddOrUpdate(KeyOf(grainId), 1, (_, reads) => reads + 1);
            await inner.ReadStateAsync(stateName, grainId, grainState);
        }

        public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            var key = KeyOf(grainId);
            if (owner._plans.TryGetValue(key, out var plan) && plan.When(grainState.State) && plan.Take())
            {
                if (plan.UsedUp)
                {
                    owner._plans.TryRemove(new KeyValuePair<string, Plan>(key, plan));
                }

                if (plan.Failure is { } failure)
                {
                    plan.Done.TrySetResult();
                    throw failure;
                }

                var competitor = new GrainState<T>();
                await inner.ReadStateAsync(stateName, grainId, competitor);
                plan.Change!(competitor.State!);
                await inner.WriteStateAsync(stateName, grainId, competitor);
                plan.Done.TrySetResult();
            }

            await inner.WriteStateAsync(stateName, grainId, grainState);
            owner._writes.AddOrUpdate(key, 1, (_, writes) => writes + 1);
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
            inner.ClearStateAsync(stateName, grainId, grainState);

        private static string KeyOf(GrainId grainId) => grainId.Key.ToString()!;
    }
}
