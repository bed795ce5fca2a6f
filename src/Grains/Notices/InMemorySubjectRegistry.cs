using System.Collections.Immutable;

namespace PrimeDirective.Grains.Notices;

/// <summary>The subject registry of the in-memory development mode.</summary>
internal sealed class InMemorySubjectRegistry : ISubjectRegistry
{
    private readonly SortedDictionary<string, string> _subjects = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public Task AddAsync(string region, string key, string kind)
    {
        lock (_lock)
        {
            _subjects.TryAdd(key, kind);
        }

        return Task.CompletedTask;
    }

    public Task RemoveAsync(string region, string key)
    {
        lock (_lock)
        {
            _subjects.Remove(key);
        }

        return Task.CompletedTask;
    }

    public Task<ImmutableArray<RegisteredSubject>> PageAsync(string region, string? after, int limit, string? kind)
    {
        lock (_lock)
        {
            return Task.FromResult<ImmutableArray<RegisteredSubject>>([.. Of(region, kind)
                .Where(pair => after is null || string.CompareOrdinal(pair.Key, after) > 0)
                .Take(limit).Select(pair => new RegisteredSubject(pair.Key, pair.Value))]);
        }
    }

    public Task<long> CountAsync(string region, string? kind)
    {
        lock (_lock)
        {
            return Task.FromResult((long)Of(region, kind).Count());
        }
    }

    private IEnumerable<KeyValuePair<string, string>> Of(string region, string? kind) =>
        _subjects.Where(pair => pair.Key.StartsWith($"{region}/", StringComparison.Ordinal) && (kind is null || pair.Value == kind));
}
