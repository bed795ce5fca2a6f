using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace PrimeDirective.Grains.Sealing;

/// <summary>
/// A silo's unwrapped data keys: bounded (<see cref="KeyStoreOptions.CacheSize"/>) and short-lived
/// (<see cref="KeyStoreOptions.CacheLifetime"/>). An erasure evicts a key from every silo at once; an evicted key is not
/// cached again for a lifetime, so a fetch that raced the destruction cannot bring it back.
/// </summary>
public sealed class KeyCache(IOptions<KeyStoreOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<Guid, (DataKey Key, DateTimeOffset Until)> _byId = new();
    private readonly ConcurrentDictionary<string, Guid> _current = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _evicted = new();
    private long _hits;
    private long _misses;

    /// <summary>Lookups the cache answered.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Lookups that went to the key store.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>The cached key <paramref name="keyId"/>, or <c>null</c>.</summary>
    public DataKey? ById(Guid keyId) => Count(_byId.TryGetValue(keyId, out var entry) && entry.Until > time.GetUtcNow() ? entry.Key : null);

    /// <summary>The cached live key of <paramref name="subject"/>, or <c>null</c>.</summary>
    public DataKey? Current(string subject) => _current.TryGetValue(subject, out var id) ? ById(id) : Count(null);

    /// <summary>Caches <paramref name="key"/> (as its subject's live key when <paramref name="current"/>), unless it was just evicted.</summary>
    public void Put(DataKey key, bool current)
    {
        ArgumentNullException.ThrowIfNull(key);
        var now = time.GetUtcNow();
        if (_evicted.TryGetValue(key.Id, out var until) && until > now)
        {
            return;
        }

        if (_byId.Count >= options.Value.CacheSize)
        {
            Trim(now);
        }

        _byId[key.Id] = (key, now + options.Value.CacheLifetime);
        if (current)
        {
            _current[key.Subject] = key.Id;
        }
    }

    /// <summary>Forgets <paramref name="keyId"/> (and <paramref name="subject"/>'s live key) on this silo.</summary>
    public void Evict(string subject, Guid keyId)
    {
        var now = time.GetUtcNow();
        _evicted[keyId] = now + options.Value.CacheLifetime;
        _byId.TryRemove(keyId, out _);
        _current.TryRemove(KeyValuePair.Create(subject, keyId));
        foreach (var (id, until) in _evicted)
        {
            if (until <= now)
            {
                _evicted.TryRemove(id, out _);
            }
        }
    }

    private DataKey? Count(DataKey? found)
    {
        Interlocked.Increment(ref found is null ? ref _misses : ref _hits);
        return found;
    }

    /// <summary>Drops expired keys, and if the cache is still full, the half that expires first.</summary>
    private void Trim(DateTimeOffset now)
    {
        foreach (var (id, entry) in _byId)
        {
            if (entry.Until <= now)
            {
                _byId.TryRemove(id, out _);
            }
        }

        if (_byId.Count >= options.Value.CacheSize)
        {
            foreach (var (id, _) in _byId.OrderBy(pair => pair.Value.Until).Take(Math.Max(1, _byId.Count / 2)).ToList())
            {
                _byId.TryRemove(id, out _);
            }
        }

        foreach (var (subject, id) in _current)
        {
            if (!_byId.ContainsKey(id))
            {
                _current.TryRemove(KeyValuePair.Create(subject, id));
            }
        }
    }
}
