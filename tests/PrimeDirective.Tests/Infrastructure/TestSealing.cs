using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Storage;
using PrimeDirective.Grains.Sealing;

namespace PrimeDirective.Tests.Infrastructure;

/// <summary>The service's sealing as a test reads through it: the same key store and KEK, and no cache (a destroyed key never opens here).</summary>
public static class TestSealing
{
    /// <summary>A sealer over the key store at <paramref name="keyStore"/> with KEK version 1 <paramref name="kek"/>.</summary>
    public static Sealer Opener(string keyStore, string kek) => Opener(keyStore, new Dictionary<string, string> { ["1"] = kek });

    /// <summary>A sealer over the key store at <paramref name="keyStore"/> with exactly the KEKs <paramref name="keks"/> (by version).</summary>
    public static Sealer Opener(string keyStore, IReadOnlyDictionary<string, string> keks) => Opener(new PostgresKeyRows(keyStore), keks);

    /// <summary>A sealer over the key rows <paramref name="keyRows"/> with exactly the KEKs <paramref name="keks"/>, able to take a key snapshot.</summary>
    internal static Sealer Opener(IKeyRows keyRows, IReadOnlyDictionary<string, string> keks)
    {
        var options = Options.Create(new KeyStoreOptions { Keks = new(keks), CacheSize = 1, CacheLifetime = TimeSpan.FromTicks(1) });
        var rows = new SnapshotKeyRows(keyRows);
        var store = new KeyStore(rows, new KeyEncryptionKeys(options, mayDrawRandom: false), TimeProvider.System);
        var sealer = new Sealer(store, new KeyCache(options, TimeProvider.System));
        s_rows.AddOrUpdate(sealer, rows);
        return sealer;
    }

    private static readonly ConditionalWeakTable<Sealer, SnapshotKeyRows> s_rows = [];

    /// <summary>
    /// Runs <paramref name="body"/> with <paramref name="sealer"/> finding keys in one read of the whole key store taken
    /// now (an opener of <see cref="Opener(string, IReadOnlyDictionary{string, string})"/>; any other runs as it is):
    /// opening every stored value costs one query instead of one per value. A key destroyed before the read opens nothing.
    /// </summary>
    public static async Task<T> WithKeySnapshotAsync<T>(Sealer? sealer, Func<Task<T>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return sealer is not null && s_rows.TryGetValue(sealer, out var rows) ? await rows.WithSnapshotAsync(body) : await body();
    }

    /// <summary>A fresh key store database (migrated) with a random KEK, and a sealer over it.</summary>
    public static async Task<TestKeyStore> CreateKeyStoreAsync(string purpose)
    {
        var database = await TestDatabase.CreateAsync($"keys_{purpose}");
        await new SchemaMigrator(NullLogger<SchemaMigrator>.Instance).ApplyKeyStoreAsync(database.ConnectionString, CancellationToken.None);
        var kek = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        return new TestKeyStore(database, kek, Opener(database.ConnectionString, kek));
    }
}

/// <summary>A key store database of a test's own, its KEK and a sealer over it; the database is dropped on dispose.</summary>
public sealed record TestKeyStore(TestDatabase Database, string Kek, Sealer Sealer) : IAsyncDisposable
{
    /// <summary>The report addresses' sealing over this key store, as a silo composes it.</summary>
    public ReportAddressSealing Addresses { get; } = new(Sealer, NullLogger<ReportAddressSealing>.Instance);

    public ValueTask DisposeAsync() => Database.DisposeAsync();
}

/// <summary>The key store's rows, read through; inside <see cref="WithSnapshotAsync"/>, keys by id come from one read of every row.</summary>
internal sealed class SnapshotKeyRows(IKeyRows store) : IKeyRows
{
    private readonly AsyncLocal<Dictionary<Guid, WrappedKey>?> _snapshot = new();

    public async Task<T> WithSnapshotAsync<T>(Func<Task<T>> body)
    {
        // Every name starts with the empty prefix: all rows, in one query.
        _snapshot.Value = (await store.NamedFromAsync(string.Empty)).ToDictionary(key => key.Id);
        try
        {
            return await body();
        }
        finally
        {
            _snapshot.Value = null;
        }
    }

    public Task<WrappedKey?> FindAsync(Guid keyId) =>
        _snapshot.Value is { } snapshot ? Task.FromResult(snapshot.GetValueOrDefault(keyId)) : store.FindAsync(keyId);

    public Task<WrappedKey> InsertOrGetAsync(WrappedKey key) => store.InsertOrGetAsync(key);

    public Task<WrappedKey?> FindBySubjectAsync(string subject) => store.FindBySubjectAsync(subject);

    public Task<bool> DeleteAsync(Guid keyId) => store.DeleteAsync(keyId);

    public Task<IReadOnlyList<WrappedKey>> EpochsBeforeAsync(DateOnly today) => store.EpochsBeforeAsync(today);

    public Task<IReadOnlyList<WrappedKey>> NamedFromAsync(string prefix) => store.NamedFromAsync(prefix);

    public Task PingAsync(CancellationToken cancellationToken) => store.PingAsync(cancellationToken);
}
