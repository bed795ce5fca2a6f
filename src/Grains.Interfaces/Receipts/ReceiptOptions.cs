namespace PrimeDirective.Grains.Interfaces.Receipts;

/// <summary>Our Ed25519 receipt-signing keys (configuration section <c>Receipts</c>): several versions, one active.</summary>
public sealed class ReceiptOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Receipts";

    /// <summary>Ed25519 private keys by id (<c>kid</c>): PKCS#8 PEM text (<c>openssl genpkey -algorithm ed25519</c>) or a file path.</summary>
    public Dictionary<string, string?> Keys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The keys that hold a value (an entry emptied by a later configuration source is no key).</summary>
    public IEnumerable<KeyValuePair<string, string>> ConfiguredKeys() =>
        Keys.Where(pair => !string.IsNullOrWhiteSpace(pair.Value)).Select(pair => KeyValuePair.Create(pair.Key, pair.Value!));

    /// <summary>The id of the key that signs now (may be left out when there is one key); the others are only published.</summary>
    public string? ActiveKey { get; set; }
}
