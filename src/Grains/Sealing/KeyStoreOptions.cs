namespace PrimeDirective.Grains.Sealing;

/// <summary>
/// <c>KeyStore:*</c>: the key-encryption keys (KEKs) that wrap every data key, and the data-key cache. The key store's
/// database is <c>ConnectionStrings:KeyStore</c>.
/// </summary>
public sealed class KeyStoreOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "KeyStore";

    /// <summary>The connection string name of the key store's database.</summary>
    public const string ConnectionStringName = "KeyStore";

    /// <summary>KEKs by version (<c>KeyStore:Keks:{version}</c>, base64 of 32 bytes); environment <c>KeyStore__Keks__2</c>.</summary>
    public Dictionary<string, string> Keks { get; set; } = [];

    /// <summary>
    /// A directory whose files are KEKs named by their version (a Kubernetes secret mounted as a volume: one key per
    /// version, each file's content the base64 of 32 bytes). Read at start, together with <see cref="Keks"/>.
    /// </summary>
    public string? KekDirectory { get; set; }

    /// <summary>The version that wraps new data keys; older versions only unwrap. Defaults to the highest version configured.</summary>
    public int? ActiveKek { get; set; }

    /// <summary>How many data keys a silo keeps unwrapped in memory at most.</summary>
    public int CacheSize { get; set; } = 10_000;

    /// <summary>How long a silo keeps a data key unwrapped after fetching it (erasure also evicts it cluster-wide at once).</summary>
    public TimeSpan CacheLifetime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often each silo looks for epoch keys whose day is over, to destroy them.</summary>
    public TimeSpan EpochSweepInterval { get; set; } = TimeSpan.FromHours(1);
}
