using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Sealing;

namespace PrimeDirective.Tests.Infrastructure;

/// <summary>The service's sealing as a test reads through it: the same key store and KEK, and no cache (a destroyed key never opens here).</summary>
public static class TestSealing
{
    /// <summary>A sealer over the key store at <paramref name="keyStore"/> with KEK version 1 <paramref name="kek"/>.</summary>
    public static Sealer Opener(string keyStore, string kek)
    {
        var options = Options.Create(new KeyStoreOptions { Keks = { ["1"] = kek }, CacheSize = 1, CacheLifetime = TimeSpan.FromTicks(1) });
        var store = new KeyStore(new PostgresKeyRows(keyStore), new KeyEncryptionKeys(options, mayDrawRandom: false), TimeProvider.System);
        return new Sealer(store, new KeyCache(options, TimeProvider.System));
    }
}
