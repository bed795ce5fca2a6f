using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PrimeDirective.Grains.Interfaces.Privacy;

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
/// An expiry epoch: the values of one category, in one region, that expire on one day. Its key (in the key store, named
/// <see cref="Name"/>) is destroyed once the day is over, and with it every value sealed under a key derived from it.
/// </summary>
/// <param name="Region">The region whose values it seals (and whose destruction ledger fences its key).</param>
/// <param name="Category">The data category's wire name.</param>
/// <param name="Day">The UTC day its values expire.</param>
public readonly record struct KeyEpoch(string Region, string Category, DateOnly Day)
{
    private const string Prefix = "epoch|";

    /// <summary>The epoch key's name in the key store (its subject column) and the HKDF info of every key derived from it.</summary>
    public string Name => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Region}|{Category}|{Day:yyyy-MM-dd}");

    /// <summary>The epoch of a value of <paramref name="category"/> in <paramref name="region"/> that expires at <paramref name="expiresAt"/>.</summary>
    public static KeyEpoch Of(string region, string category, DateTimeOffset expiresAt) =>
        new(region, category, DateOnly.FromDateTime(expiresAt.UtcDateTime));

    /// <summary>The epoch an epoch key's <paramref name="name"/> names; <c>null</c> if it names no epoch.</summary>
    public static KeyEpoch? Parse(string name)
    {
        var parts = name.Split('|');
        return parts.Length == 4 && parts[0] + "|" == Prefix
               && DateOnly.TryParseExact(parts[3], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? new KeyEpoch(parts[1], parts[2], day)
            : null;
    }
}

/// <summary>
/// Seals values under their subject's data key: format version (1 byte) ‖ key id (16) ‖ nonce (12) ‖ ciphertext ‖ tag
/// (16), AES-256-GCM with the <see cref="SealContext"/> as associated data. Once the key is destroyed the value opens
/// nowhere (every copy, backup and dump included); opening answers <c>null</c> for it, never an error.
/// A value that must also die on a day (an <see cref="KeyEpoch"/>) or survive it under a legal hold is sealed under a key
/// derived from two (format 2): version (1) ‖ subject key id (16) ‖ epoch or hold key id (16) ‖ nonce (12) ‖ ciphertext ‖
/// tag (16), the key HKDF-SHA256 of the subject's key with the second key as salt and the second key's name as info;
/// destroying either key makes it unopenable.
/// Not sealed, its four sealing and opening methods virtual, for one reason: <c>bench/IngestBench</c>'s figure "sealing on
/// ÷ off" runs the shipped gateway with a pass-through subclass put in by code loaded into the process (a startup hook);
/// no setting can replace the sealer, and nothing in <c>src</c> derives from it.
/// </summary>
public class Sealer(KeyStore store, KeyCache cache)
{
    /// <summary>The format version this code writes under a subject key alone.</summary>
    public const byte FormatVersion = 1;

    /// <summary>The format version of a value sealed under a key derived from the subject's key and an epoch or hold key.</summary>
    public const byte DerivedFormatVersion = 2;

    private const int KeyIdSize = 16;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int HeaderSize = 1 + KeyIdSize + NonceSize;
    private const int DerivedHeaderSize = 1 + KeyIdSize + KeyIdSize + NonceSize;

    /// <summary>The silo's key cache (hit rate for benchmarks, eviction on erasure).</summary>
    public KeyCache Cache => cache;

    /// <summary>Whether <paramref name="value"/> has the shape of a sealed value (format version and room for header and tag).</summary>
    public static bool IsSealed(ReadOnlySpan<byte> value) =>
        (value.Length >= HeaderSize + TagSize && value[0] == FormatVersion) || (value.Length >= DerivedHeaderSize + TagSize && value[0] == DerivedFormatVersion);

    /// <summary>Whether <paramref name="text"/> is a value <see cref="SealTextAsync(SealContext, string)"/> or its epoch form wrote (a plain value is not).</summary>
    public static bool IsSealedText(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length < 4 * ((HeaderSize + TagSize + 2) / 3))
        {
            return false;
        }

        var bytes = new byte[text.Length * 3 / 4];
        return Convert.TryFromBase64String(text, bytes, out var written) && IsSealed(bytes.AsSpan(0, written));
    }

    /// <summary>The id of the subject key that sealed <paramref name="value"/>.</summary>
    public static Guid KeyIdOf(ReadOnlySpan<byte> value) =>
        IsSealed(value) ? new Guid(value.Slice(1, KeyIdSize), bigEndian: true) : throw new CryptographicException("Not a sealed value.");

    /// <summary>The id of the epoch or hold key <paramref name="value"/> was also sealed under; <c>null</c> for a value of format 1.</summary>
    public static Guid? SecondKeyIdOf(ReadOnlySpan<byte> value) =>
        IsSealed(value) && value[0] == DerivedFormatVersion ? new Guid(value.Slice(1 + KeyIdSize, KeyIdSize), bigEndian: true) : null;

    /// <summary>The key that seals a value of <paramref name="subject"/> under <paramref name="second"/> (an epoch or hold key).</summary>
    public static byte[] Derive(DataKey subject, DataKey second)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(second);
        var info = Encoding.UTF8.GetBytes($"prime-directive derived key v2|{second.Subject}");
        return HKDF.DeriveKey(HashAlgorithmName.SHA256, subject.Material, 32, second.Material, info);
    }

    /// <summary>The subject's live key (created on its first write).</summary>
    public Task<DataKey> CurrentKeyAsync(string subject) => CurrentKeyAsync(subject, epochDay: null);

    /// <summary>The live epoch key of <paramref name="epoch"/> (created on its first use).</summary>
    public Task<DataKey> EpochKeyAsync(KeyEpoch epoch) => CurrentKeyAsync(epoch.Name, epoch.Day);

    private async Task<DataKey> CurrentKeyAsync(string subject, DateOnly? epochDay)
    {
        if (cache.Current(subject) is { } cached)
        {
            return cached;
        }

        var key = await store.CurrentAsync(subject, epochDay);
        cache.Put(key, current: true);
        return key;
    }

    /// <summary><paramref name="plain"/> sealed under a key derived from <paramref name="context"/>'s subject key and <paramref name="epoch"/>'s key.</summary>
    public virtual async Task<byte[]> SealAsync(SealContext context, KeyEpoch epoch, ReadOnlyMemory<byte> plain) =>
        SealDerived(context, await CurrentKeyAsync(context.Subject), await EpochKeyAsync(epoch), plain.Span);

    /// <summary>
    /// <paramref name="plain"/> sealed under a key derived from <paramref name="context"/>'s subject key and the hold key
    /// named <paramref name="holdKeyName"/> (created on first use, never destroyed by an epoch's end).
    /// </summary>
    public virtual async Task<byte[]> SealUnderHoldAsync(SealContext context, string holdKeyName, ReadOnlyMemory<byte> plain) =>
        SealDerived(context, await CurrentKeyAsync(context.Subject), await CurrentKeyAsync(holdKeyName, epochDay: null), plain.Span);

    private static byte[] SealDerived(SealContext context, DataKey subject, DataKey second, ReadOnlySpan<byte> plain)
    {
        var output = new byte[DerivedHeaderSize + plain.Length + TagSize];
        output[0] = DerivedFormatVersion;
        subject.Id.TryWriteBytes(output.AsSpan(1, KeyIdSize), bigEndian: true, out _);
        second.Id.TryWriteBytes(output.AsSpan(1 + KeyIdSize, KeyIdSize), bigEndian: true, out _);
        var nonce = output.AsSpan(1 + KeyIdSize + KeyIdSize, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        var material = Derive(subject, second);
        using var aes = new AesGcm(material, TagSize);
        CryptographicOperations.ZeroMemory(material);
        aes.Encrypt(nonce, plain, output.AsSpan(DerivedHeaderSize, plain.Length), output.AsSpan(DerivedHeaderSize + plain.Length), context.AssociatedData());
        return output;
    }

    /// <summary><paramref name="plain"/> sealed under <paramref name="context"/>'s subject key.</summary>
    public virtual async Task<byte[]> SealAsync(SealContext context, ReadOnlyMemory<byte> plain)
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
    public virtual async Task<byte[]?> OpenAsync(SealContext context, ReadOnlyMemory<byte> sealedValue)
    {
        if (await KeyByIdAsync(KeyIdOf(sealedValue.Span)) is not { } key)
        {
            return null;
        }

        if (SecondKeyIdOf(sealedValue.Span) is { } secondId)
        {
            if (await KeyByIdAsync(secondId) is not { } second)
            {
                return null;
            }

            var derived = Derive(key, second);
            using var derivedAes = new AesGcm(derived, TagSize);
            CryptographicOperations.ZeroMemory(derived);
            return Decrypt(derivedAes, sealedValue.Span, DerivedHeaderSize, context);
        }

        using var aes = new AesGcm(key.Material, TagSize);
        return Decrypt(aes, sealedValue.Span, HeaderSize, context);
    }

    private static byte[] Decrypt(AesGcm aes, ReadOnlySpan<byte> input, int headerSize, SealContext context)
    {
        var plain = new byte[input.Length - headerSize - TagSize];
        aes.Decrypt(input.Slice(headerSize - NonceSize, NonceSize), input.Slice(headerSize, plain.Length), input[^TagSize..], plain, context.AssociatedData());
        return plain;
    }

    /// <summary>The key <paramref name="keyId"/> from the cache or the store; <c>null</c> if it was destroyed.</summary>
    private async Task<DataKey?> KeyByIdAsync(Guid keyId)
    {
        if (cache.ById(keyId) is { } cached)
        {
            return cached;
        }

        if (await store.FindAsync(keyId) is not { } key)
        {
            return null;
        }

        cache.Put(key, current: false);
        return key;
    }

    /// <summary><paramref name="text"/> sealed, as base64 (for text columns and JSON).</summary>
    public async Task<string> SealTextAsync(SealContext context, string text) =>
        Convert.ToBase64String(await SealAsync(context, Encoding.UTF8.GetBytes(text)));

    /// <summary><paramref name="text"/> sealed under <paramref name="context"/>'s subject key and <paramref name="epoch"/>'s key, as base64.</summary>
    public async Task<string> SealTextAsync(SealContext context, KeyEpoch epoch, string text) =>
        Convert.ToBase64String(await SealAsync(context, epoch, Encoding.UTF8.GetBytes(text)));

    /// <summary><paramref name="text"/> sealed under <paramref name="context"/>'s subject key and a hold key, as base64.</summary>
    public async Task<string> SealTextUnderHoldAsync(SealContext context, string holdKeyName, string text) =>
        Convert.ToBase64String(await SealUnderHoldAsync(context, holdKeyName, Encoding.UTF8.GetBytes(text)));

    /// <summary>The text sealed by <see cref="SealTextAsync(SealContext, string)"/> or its epoch and hold forms; <c>null</c> if a key it needs was destroyed.</summary>
    public async Task<string?> OpenTextAsync(SealContext context, string sealedText) =>
        await OpenAsync(context, Convert.FromBase64String(sealedText)) is { } plain ? Encoding.UTF8.GetString(plain) : null;

    /// <summary>What the items kept in a grain state say: sealed whole (<see cref="SealedGrainStorage"/>) under its subject's key.</summary>
    public const string StateSealing = "state";

    /// <summary>
    /// <paramref name="items"/> (kept in <paramref name="subject"/>'s grain state), each saying how it is stored unless it
    /// says so itself: sealed whole under the subject's live key, with that key's KEK version (every write seals the state,
    /// and so does the upgrade step at silo start); not encrypted if the subject has no live key. The key comes from the cache.
    /// </summary>
    public async Task<ImmutableArray<HeldItem>> WithStateProtectionAsync(string subject, ImmutableArray<HeldItem> items)
    {
        if (items.IsDefaultOrEmpty)
        {
            return items;
        }

        var kekVersion = cache.Current(subject)?.KekVersion ?? (await store.PeekAsync(subject))?.KekVersion;
        var protection = kekVersion is { } version ? new ItemProtection(true, StateSealing, version) : ItemProtection.None;
        return [.. items.Select(item => item with { Protection = item.Protection ?? protection })];
    }

    /// <summary>
    /// How <paramref name="storedText"/> is protected at rest: sealed (format 1: <c>per-value</c>; format 2:
    /// <c>per-value-epoch</c>) with the KEK version of its subject's data key, or <see cref="ItemProtection.None"/> if it is
    /// stored plain. The key comes from the cache (the value was just opened with it).
    /// </summary>
    public async Task<ItemProtection> ProtectionOfAsync(string? storedText)
    {
        if (!IsSealedText(storedText))
        {
            return ItemProtection.None;
        }

        var value = Convert.FromBase64String(storedText!);
        var key = await KeyByIdAsync(KeyIdOf(value));
        return new ItemProtection(true, value[0] == DerivedFormatVersion ? "per-value-epoch" : "per-value", key?.KekVersion);
    }
}
