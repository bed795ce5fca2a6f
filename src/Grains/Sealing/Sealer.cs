using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace PrimeDirective.Grains.Sealing;

/// <summary>
/// Where a sealed value lives: its store, column, subject (whose data key seals it) and row. All four are the value's
/// associated data, so a value copied to another row, column or subject fails to open.
/// </summary>
/// <param name="Store">The table, state store or directory.</param>
/// <param name="Column">The column or state name.</param>
/// <param name="Subject">The subject whose data key seals the value (a grain key).</param>
/// <param name="RowId">The row's own id.</param>
public readonly record struct SealContext(string Store, string Column, string Subject, string RowId)
{
    /// <summary>The associated data: each part length-prefixed, so no two contexts share it.</summary>
    internal byte[] AssociatedData()
    {
        string[] parts = ["prime-directive seal v1", Store, Column, Subject, RowId];
        var encoded = parts.Select(Encoding.UTF8.GetBytes).ToArray();
        var output = new byte[encoded.Sum(part => part.Length + 4)];
        var at = 0;
        foreach (var part in encoded)
        {
            BinaryPrimitives.WriteInt32BigEndian(output.AsSpan(at), part.Length);
            part.CopyTo(output.AsSpan(at + 4));
            at += part.Length + 4;
        }

        return output;
    }
}

/// <summary>
/// Seals values under their subject's data key: format version (1 byte) ‖ key id (16) ‖ nonce (12) ‖ ciphertext ‖ tag
/// (16), AES-256-GCM with the <see cref="SealContext"/> as associated data. Once the key is destroyed the value opens
/// nowhere (every copy, backup and dump included); opening answers <c>null</c> for it, never an error.
/// </summary>
public sealed class Sealer(KeyStore store, KeyCache cache)
{
    /// <summary>The format version this code writes.</summary>
    public const byte FormatVersion = 1;

    private const int KeyIdSize = 16;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int HeaderSize = 1 + KeyIdSize + NonceSize;

    /// <summary>The silo's key cache (hit rate for benchmarks, eviction on erasure).</summary>
    public KeyCache Cache => cache;

    /// <summary>Whether <paramref name="value"/> has the shape of a sealed value (format version and room for header and tag).</summary>
    public static bool IsSealed(ReadOnlySpan<byte> value) => value.Length >= HeaderSize + TagSize && value[0] == FormatVersion;

    /// <summary>The id of the key that sealed <paramref name="value"/>.</summary>
    public static Guid KeyIdOf(ReadOnlySpan<byte> value) =>
        IsSealed(value) ? new Guid(value.Slice(1, KeyIdSize), bigEndian: true) : throw new CryptographicException("Not a sealed value.");

    /// <summary>The subject's live key (created on its first write).</summary>
    public async Task<DataKey> CurrentKeyAsync(string subject)
    {
        if (cache.Current(subject) is { } cached)
        {
            return cached;
        }

        var key = await store.CurrentAsync(subject);
        cache.Put(key, current: true);
        return key;
    }

    /// <summary><paramref name="plain"/> sealed under <paramref name="context"/>'s subject key.</summary>
    public async Task<byte[]> SealAsync(SealContext context, ReadOnlyMemory<byte> plain)
    {
        var key = await CurrentKeyAsync(context.Subject);
        var output = new byte[HeaderSize + plain.Length + TagSize];
        output[0] = FormatVersion;
        key.Id.TryWriteBytes(output.AsSpan(1, KeyIdSize), bigEndian: true, out _);
        var nonce = output.AsSpan(1 + KeyIdSize, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key.Material, TagSize);
        aes.Encrypt(nonce, plain.Span, output.AsSpan(HeaderSize, plain.Length), output.AsSpan(HeaderSize + plain.Length), context.AssociatedData());
        return output;
    }

    /// <summary>
    /// The plain bytes of <paramref name="sealedValue"/>; <c>null</c> if its key was destroyed (the value is erased).
    /// <see cref="CryptographicException"/> if it was altered or copied from another context.
    /// </summary>
    public async Task<byte[]?> OpenAsync(SealContext context, ReadOnlyMemory<byte> sealedValue)
    {
        var keyId = KeyIdOf(sealedValue.Span);
        var key = cache.ById(keyId);
        if (key is null)
        {
            key = await store.FindAsync(keyId);
            if (key is null)
            {
                return null;
            }

            cache.Put(key, current: false);
        }

        var input = sealedValue.Span;
        var length = input.Length - HeaderSize - TagSize;
        var plain = new byte[length];
        using var aes = new AesGcm(key.Material, TagSize);
        aes.Decrypt(input.Slice(1 + KeyIdSize, NonceSize), input.Slice(HeaderSize, length), input[^TagSize..], plain, context.AssociatedData());
        return plain;
    }

    /// <summary><paramref name="text"/> sealed, as base64 (for text columns and JSON).</summary>
    public async Task<string> SealTextAsync(SealContext context, string text) =>
        Convert.ToBase64String(await SealAsync(context, Encoding.UTF8.GetBytes(text)));

    /// <summary>The text sealed by <see cref="SealTextAsync"/>; <c>null</c> if its key was destroyed.</summary>
    public async Task<string?> OpenTextAsync(SealContext context, string sealedText) =>
        await OpenAsync(context, Convert.FromBase64String(sealedText)) is { } plain ? Encoding.UTF8.GetString(plain) : null;
}
