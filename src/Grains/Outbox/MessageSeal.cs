using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Keys;

namespace PrimeDirective.Grains.Outbox;

/// <summary>
/// Encrypts messages kept in grain state (AES-256-GCM, the message id as associated data) under a key derived from the
/// pseudonym key: a database dump shows neither the codes nor the addresses of undelivered messages.
/// </summary>
public sealed class MessageSeal
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] s_purpose = Encoding.UTF8.GetBytes("prime-directive outbox seal v1");

    private readonly byte[] _key;

    public MessageSeal(IOptions<PrivacyOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // In-memory mode has no configured key; its state dies with the process, and so may this key.
        var configured = options.Value.PseudonymKey;
        var secret = string.IsNullOrWhiteSpace(configured) ? RandomNumberGenerator.GetBytes(32) : Convert.FromBase64String(configured);
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, salt: [], info: s_purpose);
    }

    /// <summary>The sealed text of <paramref name="message"/>, bound to <paramref name="id"/>.</summary>
    public string Seal(string id, OutboxMessage message)
    {
        var plain = JsonSerializer.SerializeToUtf8Bytes(message, OutboxJson.Default.OutboxMessage);
        var output = new byte[NonceSize + TagSize + plain.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize), Encoding.UTF8.GetBytes(id));
        CryptographicOperations.ZeroMemory(plain);
        return Convert.ToBase64String(output);
    }

    /// <summary>The message sealed as <paramref name="queued"/>; <see cref="CryptographicException"/> if the key changed or the text was altered.</summary>
    public OutboxMessage Open(QueuedMessage queued)
    {
        ArgumentNullException.ThrowIfNull(queued);
        var input = Convert.FromBase64String(queued.Sealed);
        if (input.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("The sealed message is truncated.");
        }

        var plain = new byte[input.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(input.AsSpan(0, NonceSize), input.AsSpan(NonceSize + TagSize), input.AsSpan(NonceSize, TagSize), plain, Encoding.UTF8.GetBytes(queued.Id));
        try
        {
            return JsonSerializer.Deserialize(plain, OutboxJson.Default.OutboxMessage) ?? throw new CryptographicException("The sealed message is empty.");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }
}

/// <summary>The JSON of a sealed message (source-generated: no reflection).</summary>
[JsonSerializable(typeof(OutboxMessage))]
internal sealed partial class OutboxJson : JsonSerializerContext;
