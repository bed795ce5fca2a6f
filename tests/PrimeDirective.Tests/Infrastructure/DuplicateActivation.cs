using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Tests.Infrastructure;

/// <summary>
/// Plays a duplicate activation of a grain: just before the grain's next write that matches, a second reader loads the
/// same row through the real storage, changes it and writes it back, so the grain's own write meets a stale ETag exactly
/// as it would after a silo failure left two activations alive.
/// </summary>
public sealed class DuplicateActivation
{
    private readonly ConcurrentDictionary<string, Interleaving> _pending = new(StringComparer.Ordinal);

    /// <summary>
    /// Before the next write of grain <paramref name="grainKey"/> whose state satisfies <paramref name="when"/>, the
    /// duplicate applies <paramref name="change"/>; the task completes once the duplicate's write is stored.
    /// </summary>
    public Task BeforeNextWrite<TState>(string grainKey, Func<TState, bool> when, Action<TState> change)
    {
        var interleaving = new Interleaving(state => state is TState typed && when(typed), state => change((TState)state));
        _pending[grainKey] = interleaving;
        return interleaving.Written.Task;
    }

    /// <summary>Wraps the subjects' grain storage of a silo that <paramref name="silo"/> configures.</summary>
    public void Install(ISiloBuilder silo)
    {
        var services = silo.Services;
        var original = services.Last(descriptor =>
            descriptor.ServiceType == typeof(IGrainStorage) && Equals(descriptor.ServiceKey, StorageNames.Subjects));
        services.Remove(original);
        services.AddKeyedSingleton<IGrainStorage>(StorageNames.Subjects, (provider, key) =>
            new Storage((IGrainStorage)original.KeyedImplementationFactory!(provider, key), this));
    }

    private sealed record Interleaving(Func<object?, bool> When, Action<object> Change)
    {
        public TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Storage(IGrainStorage inner, DuplicateActivation plan) : IGrainStorage
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
            inner.ReadStateAsync(stateName, grainId, grainState);

        public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            var key = grainId.Key.ToString()!;
            if (plan._pending.TryGetValue(key, out var interleaving) && interleaving.When(grainState.State) &&
                plan._pending.TryRemove(new KeyValuePair<string, Interleaving>(key, interleaving)))
            {
                var duplicate = new GrainState<T>();
                await inner.ReadStateAsync(stateName, grainId, duplicate);
                interleaving.Change(duplicate.State!);
                await inner.WriteStateAsync(stateName, grainId, duplicate);
                interleaving.Written.TrySetResult();
            }

            await inner.WriteStateAsync(stateName, grainId, grainState);
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
            inner.ClearStateAsync(stateName, grainId, grainState);
    }
}
