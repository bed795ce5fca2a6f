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
    public static Sealer Opener(string keyStore, IReadOnlyDictionary<string, string> keks)
    {
        var options = Options.Create(new KeyStoreOptions { Keks = new(keks), CacheSize = 1, CacheLifetime = TimeSpan.FromTicks(1) });
        var store = new KeyStore(new PostgresKeyRows(keyStore), new KeyEncryptionKeys(options, mayDrawRandom: false), TimeProvider.System);
        return new Sealer(store, new KeyCache(options, TimeProvider.System));
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
