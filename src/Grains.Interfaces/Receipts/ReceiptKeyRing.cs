using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;
using PrimeDirective.Grains.Interfaces.OpenDsr;

namespace PrimeDirective.Grains.Interfaces.Receipts;

/// <summary>
/// Our Ed25519 keys for what we promise (erasure receipts, ledger heads, legal-request notices): the active one signs a
/// flattened JWS (RFC 7515, <c>alg</c> EdDSA, RFC 8037) that anyone can check against the published key set.
/// </summary>
public sealed class ReceiptKeyRing : IDisposable
{
    private static readonly SignatureAlgorithm Ed25519 = SignatureAlgorithm.Ed25519;

    private readonly ImmutableArray<ReceiptKey> _keys;

    private ReceiptKeyRing(ImmutableArray<ReceiptKey> keys, ReceiptKey active, bool ephemeral)
    {
        _keys = keys;
        Active = active;
        IsEphemeral = ephemeral;
    }

    /// <summary>The key that signs now.</summary>
    public ReceiptKey Active { get; }

    /// <summary>Every key version, the active one among them.</summary>
    public ImmutableArray<ReceiptKey> Keys => _keys;

    /// <summary>Whether the only key was drawn at start and dies with the process (a single in-memory process without keys).</summary>
    public bool IsEphemeral { get; }

    /// <summary>Reads every configured key; throws <see cref="InvalidOperationException"/> for a key that is not Ed25519 PEM or an active key that is none of them.</summary>
    public static ReceiptKeyRing Load(ReceiptOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var keys = ImmutableArray.CreateBuilder<ReceiptKey>();
        try
        {
            foreach (var (id, pem) in options.ConfiguredKeys().OrderBy(pair => pair.Key, StringComparer.Ordinal))
            {
                keys.Add(ReceiptKey.Load(id, pem));
            }

            var activeId = options.ActiveKey ?? (keys.Count == 1 ? keys[0].Id : null);
            var active = keys.Count == 0 ? throw new InvalidOperationException("Receipts:Keys names no key.")
                : keys.SingleOrDefault(key => key.Id == activeId) ?? throw new InvalidOperationException("Receipts:ActiveKey must name one of Receipts:Keys.");
            return new ReceiptKeyRing(keys.ToImmutable(), active, ephemeral: false);
        }
        catch
        {
            foreach (var key in keys)
            {
                key.Dispose();
            }

            throw;
        }
    }

    /// <summary>A ring of one key drawn now, for a single in-memory process: what it signs verifies only while the process lives.</summary>
    public static ReceiptKeyRing Ephemeral()
    {
        var key = new ReceiptKey("ephemeral-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)), Key.Create(Ed25519));
        return new ReceiptKeyRing([key], key, ephemeral: true);
    }

    /// <summary>
    /// A flattened JWS of <paramref name="payload"/> by the active key: protected header <c>{"alg":"EdDSA","kid":…,"typ":…}</c>,
    /// signature over <c>BASE64URL(header) || '.' || BASE64URL(payload)</c>.
    /// </summary>
    public Jws Sign(ReadOnlySpan<byte> payload, string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var header = $$"""{"alg":"EdDSA","kid":{{Quoted(Active.Id)}},"typ":{{Quoted(type)}}}""";
        var encodedHeader = Base64Url.Encode(Encoding.UTF8.GetBytes(header));
        var encodedPayload = Base64Url.Encode(payload);
        var signature = Ed25519.Sign(Active.PrivateKey, Encoding.ASCII.GetBytes(encodedHeader + "." + encodedPayload));
        return new Jws(encodedHeader, encodedPayload, Base64Url.Encode(signature));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var key in _keys)
        {
            key.Dispose();
        }
    }

    private static string Quoted(string value) => System.Text.Json.JsonSerializer.Serialize(value, ReceiptKeyJson.Default.String);
}

/// <summary>One receipt key version.</summary>
public sealed class ReceiptKey : IDisposable
{
    internal ReceiptKey(string id, Key privateKey)
    {
        Id = id;
        PrivateKey = privateKey;
    }

    /// <summary>The key id (<c>kid</c>).</summary>
    public string Id { get; }

    /// <summary>The private key.</summary>
    internal Key PrivateKey { get; }

    /// <summary>The raw 32-byte public key (a JWK's <c>x</c>).</summary>
    public byte[] PublicKey => PrivateKey.PublicKey.Export(KeyBlobFormat.RawPublicKey);

    internal static ReceiptKey Load(string id, string valueOrPath)
    {
        var pem = Pem.Read(valueOrPath);
        if (!Key.TryImport(SignatureAlgorithm.Ed25519, Encoding.ASCII.GetBytes(pem.Trim()), KeyBlobFormat.PkixPrivateKeyText, out var key) || key is null)
        {
            throw new InvalidOperationException($"Receipts:Keys:{id} must be an Ed25519 private key in PKCS#8 PEM.");
        }

        return new ReceiptKey(id, key);
    }

    /// <inheritdoc/>
    public void Dispose() => PrivateKey.Dispose();
}

/// <summary>A JWS in flattened JSON serialization (RFC 7515 §7.2.2): each member base64url without padding.</summary>
/// <param name="Protected">The protected header.</param>
/// <param name="Payload">The signed document.</param>
/// <param name="Signature">The Ed25519 signature.</param>
public sealed record Jws(
    [property: System.Text.Json.Serialization.JsonPropertyName("protected")] string Protected,
    [property: System.Text.Json.Serialization.JsonPropertyName("payload")] string Payload,
    [property: System.Text.Json.Serialization.JsonPropertyName("signature")] string Signature);

/// <summary>Base64url without padding (RFC 7515 §2).</summary>
public static class Base64Url
{
    /// <summary>Encodes <paramref name="bytes"/>.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    /// <summary>Decodes <paramref name="text"/>; <c>null</c> if it is not base64url.</summary>
    public static byte[]? TryDecode(string text)
    {
        try
        {
            return System.Buffers.Text.Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>The JSON the key ring writes itself.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class ReceiptKeyJson : System.Text.Json.Serialization.JsonSerializerContext;
