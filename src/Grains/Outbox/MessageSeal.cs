using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Sealing;

namespace PrimeDirective.Grains.Outbox;

/// <summary>
/// Seals messages kept in grain state under their owner's data key (<see cref="Sealer"/>, the message id as row), so a
/// database dump shows neither the codes nor the addresses of undelivered messages, and the owner's erasure makes every
/// queued copy unreadable with the rest of its data. Messages an earlier version sealed under a key derived from the
/// pseudonym key (no <see cref="Prefix"/>) still open, so an upgrade drops none.
/// </summary>
public sealed class MessageSeal(Sealer sealer, IOptions<PrivacyOptions> options)
{
    /// <summary>Marks a message sealed under its owner's data key (an earlier version's text is plain base64).</summary>
    public const string Prefix = "k1:";

    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] s_purpose = Encoding.UTF8.GetBytes("prime-directive outbox seal v1");

    // Only for messages an earlier version sealed; in-memory mode has no configured key and no earlier messages.
    private readonly Lazy<byte[]> _earlierKey = new(() =>
    {
        var configured = options.Value.PseudonymKey;
        var secret = string.IsNullOrWhiteSpace(configured) ? RandomNumberGenerator.GetBytes(32) : Convert.FromBase64String(configured);
        return HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, salt: [], info: s_purpose);
    });

    /// <summary>The associated data of message <paramref name="id"/> of the grain keyed <paramref name="owner"/>.</summary>
    public static SealContext ContextFor(string owner, string id) => new("outbox", "message", owner, id);

    /// <summary>The grain key that names <paramref name="owner"/>'s data key (the one its state is sealed under).</summary>
    public static string SubjectOf(GrainId owner) => owner.Key.ToString() ?? throw new ArgumentException("The owner has no key.", nameof(owner));

    /// <summary>The sealed text of <paramref name="message"/> of <paramref name="owner"/>, bound to <paramref name="id"/>.</summary>
    public async Task<string> SealAsync(GrainId owner, string id, OutboxMessage message) =>
        Text(await SealValueAsync(SubjectOf(owner), id, message));

    /// <summary>The sealed value of <paramref name="message"/> of the grain keyed <paramref name="owner"/> (a row keeps it as bytes), bound to <paramref name="id"/>.</summary>
    public async Task<byte[]> SealValueAsync(string owner, string id, OutboxMessage message)
    {
        var plain = JsonSerializer.SerializeToUtf8Bytes(message, OutboxJson.Default.OutboxMessage);
        try
        {
            return await sealer.SealAsync(ContextFor(owner, id), plain);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>A sealed value as the text a <see cref="QueuedMessage"/> carries.</summary>
    public static string Text(ReadOnlySpan<byte> sealedValue) => Prefix + Convert.ToBase64String(sealedValue);

    /// <summary>
    /// The message <paramref name="owner"/> queued as <paramref name="queued"/>; <c>null</c> if the owner's key was
    /// destroyed (erased: nothing to send). <see cref="CryptographicException"/> if the text was altered or moved.
    /// </summary>
    public async Task<OutboxMessage?> OpenAsync(GrainId owner, QueuedMessage queued)
    {
        ArgumentNullException.ThrowIfNull(queued);
        byte[]? plain;
        if (queued.Sealed.StartsWith(Prefix, StringComparison.Ordinal))
        {
            var sealedValue = Convert.FromBase64String(queued.Sealed[Prefix.Length..]);
            if (!Sealer.IsSealed(sealedValue))
            {
                throw new CryptographicException("The sealed message is truncated.");
            }

            plain = await sealer.OpenAsync(ContextFor(SubjectOf(owner), queued.Id), sealedValue);
        }
        else
        {
            plain = OpenEarlier(queued);
        }

        if (plain is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(plain, OutboxJson.Default.OutboxMessage) ?? throw new CryptographicException("The sealed message is empty.");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>A message an earlier version sealed: nonce ‖ tag ‖ ciphertext under the derived key, the id as associated data.</summary>
    private byte[] OpenEarlier(QueuedMessage queued)
    {
        var input = Convert.FromBase64String(queued.Sealed);
        if (input.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("The sealed message is truncated.");
        }

        var plain = new byte[input.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_earlierKey.Value, TagSize);
        aes.Decrypt(input.AsSpan(0, NonceSize), input.AsSpan(NonceSize + TagSize), input.AsSpan(NonceSize, TagSize), plain, Encoding.UTF8.GetBytes(queued.Id));
        return plain;
    }
}

/// <summary>The JSON of a sealed message (source-generated: no reflection).</summary>
[JsonSerializable(typeof(OutboxMessage))]
internal sealed partial class OutboxJson : JsonSerializerContext;
