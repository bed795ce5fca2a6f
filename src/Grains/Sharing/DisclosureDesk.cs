using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;

namespace PrimeDirective.Grains.Sharing;

/// <summary>What every subject does once a disclosure's basis holds: the ledger entry first, then the package handed on.</summary>
public static class DisclosureDesk
{
    private static readonly JsonSerializerOptions PackageJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The ledger entry for <paramref name="order"/> as decided (hashes are filled in when it is appended).</summary>
    public static DisclosureEntry Entry(DisclosureOrder order, DisclosureRules.Decision decision, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(decision);
        return new DisclosureEntry(
            order.DisclosureId, now, order.Recipient, order.Basis, order.Categories, order.Purpose, order.Rationale,
            order.LegalReference ?? order.Change?.Reference, order.Basis == DisclosureBasis.Processor ? "push" : "capability",
            decision.International, decision.RecipientRegion, order.HiddenUntil, string.Empty, string.Empty);
    }

    /// <summary>The package: the subject's items of the disclosed categories, as in the export, with what the disclosure is.</summary>
    public static string Package(DisclosureEntry entry, string subjectKind, string region, IEnumerable<HeldItem> items)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var wanted = entry.Categories.ToHashSet();
        var document = new PackageDocument(
            entry.DisclosureId, entry.At, new PackageSubject(subjectKind, region), entry.Recipient, entry.Basis, entry.Categories, entry.Purpose,
            [.. items.Where(item => wanted.Contains(item.Category))]);
        return JsonSerializer.Serialize(document, PackageJson);
    }

    /// <summary>Hands the package to its grain: pushed to the processor, or behind a fresh capability URL for the package's lifetime.</summary>
    /// <returns>For a capability URL, its secret and expiry.</returns>
    public static async Task<(string? Secret, DateTimeOffset? ExpiresAt)> HandOnAsync(
        IGrainFactory grains, string region, DisclosureEntry entry, string json, DateTimeOffset now, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Delivery == "push")
        {
            await grains.GetGrain<IDisclosurePackageGrain>(SharingKeys.Push(region, entry.DisclosureId))
                .CreateAsync(new DisclosurePackage(entry.DisclosureId, json, entry.Recipient, null));
            return (null, null);
        }

        var (secret, hash) = Capabilities.New();
        var expiresAt = now + lifetime;
        await grains.GetGrain<IDisclosurePackageGrain>(SharingKeys.Capability(region, hash))
            .CreateAsync(new DisclosurePackage(entry.DisclosureId, json, null, expiresAt));
        return (secret, expiresAt);
    }

    private sealed record PackageSubject(string Kind, string Region);

    private sealed record PackageDocument(
        string DisclosureId,
        DateTimeOffset DisclosedAt,
        PackageSubject Subject,
        string Recipient,
        DisclosureBasis Basis,
        ImmutableArray<DataCategory> Categories,
        DataPurpose Purpose,
        ImmutableArray<HeldItem> Items);
}
