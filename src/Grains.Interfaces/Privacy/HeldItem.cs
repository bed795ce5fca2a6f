using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace PrimeDirective.Grains.Interfaces.Privacy;

/// <summary>
/// One piece of data we hold about a subject, with everything the policy needs to know about it:
/// what it is, how and why we got it, when, until when we keep it, and whether it is personal.
/// </summary>
/// <param name="ItemId">Stable id of the item within its subject.</param>
/// <param name="ReportId">The report the item came with, if any.</param>
/// <param name="Category">What kind of data this is.</param>
/// <param name="Source">How we learned it.</param>
/// <param name="Purpose">Why we collected it.</param>
/// <param name="CollectedAt">When we collected it.</param>
/// <param name="ExpiresAt">When it must be destroyed; <c>null</c> while the subject itself is held.</param>
/// <param name="Personal">Whether the item identifies its subject on its own.</param>
/// <param name="Value">A textual value (an IP address, an identifier, a version).</param>
/// <param name="Metrics">Numeric values by metric name.</param>
/// <param name="Basis">
/// Why we may keep it, where that varies by item: a crash report's <c>operator</c> (sent by the operator of a cluster
/// nobody linked) or <c>consent</c> (every linked person granted <c>crash-reports</c>); <c>null</c> elsewhere.
/// </param>
/// <param name="Protection">How the item's value is protected at rest (docs/keys.md); <c>null</c> where it is not said.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.HeldItem")]
public sealed record HeldItem(
    [property: Id(0)] string ItemId,
    [property: Id(1)] string? ReportId,
    [property: Id(2)] DataCategory Category,
    [property: Id(3)] DataSource Source,
    [property: Id(4)] DataPurpose Purpose,
    [property: Id(5)] DateTimeOffset CollectedAt,
    [property: Id(6)] DateTimeOffset? ExpiresAt,
    [property: Id(7)] bool Personal,
    [property: Id(8), PersonalData] string? Value,
    [property: Id(9)] ImmutableDictionary<string, double> Metrics,
    [property: Id(10), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Basis = null,
    [property: Id(11), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ItemProtection? Protection = null)
{
    /// <summary>Whether the item is past its expiry at <paramref name="now"/> and must no longer be served.</summary>
    public bool IsExpiredAt(DateTimeOffset now) => ExpiresAt is { } expiresAt && expiresAt <= now;
}

/// <summary>
/// How an item's value is stored: whether it is encrypted at rest, how, and the version of the key-encryption key (KEK)
/// that wraps the data key it is sealed under. Never a key, its id or its fingerprint.
/// </summary>
/// <param name="EncryptedAtRest">Whether the stored value is sealed (a value stored before sealing, not yet re-sealed, is not).</param>
/// <param name="Sealing">
/// <c>per-value</c> (sealed under the subject's data key), <c>per-value-epoch</c> (under a key derived from the subject's
/// and its expiry epoch's, or a hold's), <c>state</c> (sealed whole with the subject's grain state) or <c>none</c>.
/// </param>
/// <param name="KeyVersion">The KEK version that wraps the subject's data key; <c>null</c> when not sealed or the key is gone.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.ItemProtection")]
public sealed record ItemProtection(
    [property: Id(0)] bool EncryptedAtRest,
    [property: Id(1)] string Sealing,
    [property: Id(2)] int? KeyVersion)
{
    /// <summary>A value stored as it is: not encrypted at rest.</summary>
    public static ItemProtection None { get; } = new(false, "none", null);

    /// <summary>What the page shows: <c>encrypted at rest (per-value, key version 1)</c> or <c>not encrypted at rest</c>.</summary>
    public override string ToString() => EncryptedAtRest
        ? $"encrypted at rest ({Sealing}{(KeyVersion is { } version ? $", key version {version}" : string.Empty)})"
        : "not encrypted at rest";
}

/// <summary>A page of held items, oldest first, and the cursor of the next page (<c>null</c>: this was the last).</summary>
/// <param name="Items">The page's items.</param>
/// <param name="Next">The cursor to ask for the next page with.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.ItemPage")]
public sealed record ItemPage(
    [property: Id(0)] ImmutableArray<HeldItem> Items,
    [property: Id(1)] string? Next);
