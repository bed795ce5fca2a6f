using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Grains.Sealing;

/// <summary>What erasure leaves of a destroyed data key: its id, fingerprint and KEK version, never its subject.</summary>
/// <param name="KeyId">The destroyed key's id (sealed values name it).</param>
/// <param name="Fingerprint">Its one-way fingerprint (the erasure receipt shows it).</param>
/// <param name="KekVersion">The KEK version that had wrapped it.</param>
/// <param name="DestroyedAt">When it was destroyed.</param>
public sealed record KeyFence(Guid KeyId, string Fingerprint, int KekVersion, DateTimeOffset DestroyedAt);

/// <summary>
/// Crypto-shredding, the first step of an erasure: the subject's data key is fenced in the fence log (outside both
/// databases, so a restore cannot undo it) and in the region's destruction ledger,
/// deleted from the key store, then evicted from every silo's cache by a cluster-wide broadcast, so no silo opens the
/// subject's values (in any database, backup or dump) a moment later. Rows are deleted after, as before.
/// </summary>
public sealed class KeyShredder(KeyStore store, IKeyEviction eviction, IDestructionLedger ledger, TimeProvider time, IFenceLog fenceLog, KeyMetrics? metrics = null)
{
    /// <summary>Destroys <paramref name="subject"/>'s data key; <c>null</c> if it has none (never written, or already shredded).</summary>
    public async Task<KeyFence?> ShredAsync(string region, string subject) =>
        await store.PeekAsync(subject) is { } key ? await DestroyAsync(region, key, "subject") : null;

    /// <summary>
    /// Destroys every key whose name starts with <paramref name="prefix"/> (the hold keys of a subject whose holds ended),
    /// each fenced like a subject's key; answers how many it destroyed.
    /// </summary>
    public async Task<int> ShredNamedFromAsync(string region, string prefix)
    {
        var keys = await store.NamedFromAsync(prefix);
        foreach (var key in keys)
        {
            await DestroyAsync(region, key, "hold");
        }

        return keys.Count;
    }

    private async Task<KeyFence> DestroyAsync(string region, WrappedKey key, string kind)
    {
        // The fence first: a crash after it leaves a fence for a key that still exists, never a destroyed key without one.
        var fence = new KeyFence(key.Id, key.Fingerprint, key.KekVersion, time.GetUtcNow());
        await fenceLog.AppendAsync(FenceRecord.Of(region, fence));
        await ledger.FenceAsync(region, fence);
        metrics?.Fenced(region, kind);
        await store.DestroyAsync(key.Id);
        await eviction.EvictEverywhereAsync(key.Subject, key.Id);
        return fence;
    }
}

/// <summary>How a destroyed key leaves the caches.</summary>
public interface IKeyEviction
{
    /// <summary>Evicts <paramref name="keyId"/> of <paramref name="subject"/> from every cache that may hold it.</summary>
    Task EvictEverywhereAsync(string subject, Guid keyId);
}

/// <summary>A cluster-wide broadcast: this silo's cache at once, then every other active silo's through its <see cref="IKeyCacheGrain"/>.</summary>
public sealed partial class ClusterKeyEviction(KeyCache cache, IGrainFactory grains, IClusterMembershipService membership, ILogger<ClusterKeyEviction> logger)
    : IKeyEviction
{
    /// <summary>Evicts the key from this silo at once and from every other active silo; a silo that cannot be reached keeps it no longer than the cache lifetime.</summary>
    public async Task EvictEverywhereAsync(string subject, Guid keyId)
    {
        cache.Evict(subject, keyId);
        var silos = membership.CurrentSnapshot.Members.Values
            .Where(member => member.Status == SiloStatus.Active)
            .Select(member => member.SiloAddress)
            .ToList();
        await Task.WhenAll(silos.Select(async silo =>
        {
            try
            {
                await grains.GetGrain<IKeyCacheGrain>(silo.ToParsableString()).EvictAsync(subject, keyId);
            }
            catch (Exception exception) when (exception is OrleansException or TimeoutException)
            {
                LogEvictionMissed(logger, exception.GetType().Name);
            }
        }));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A silo did not confirm a key eviction ({ExceptionType}); its cache forgets the key within its lifetime")]
    private static partial void LogEvictionMissed(ILogger logger, string exceptionType);
}
