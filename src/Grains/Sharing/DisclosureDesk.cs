using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;

namespace PrimeDirective.Grains.Sharing;

/// <summary>
/// What every subject does once a disclosure's basis holds: the ledger entry and the package it will have recorded in one
/// write (so an erasure finds every package), then the package handed to its grain.
/// </summary>
public sealed class DisclosureDesk(DisclosureLedger ledger, IOptions<SharingOptions> options, DisclosureMetrics? metrics = null)
{
    /// <summary>Where disclosures made and refused are counted (absent in component tests).</summary>
    public DisclosureMetrics? Metrics => metrics;

    /// <summary>How long a package's key stays listed with its subject after the package can no longer exist.</summary>
    private static readonly TimeSpan PackageListGrace = TimeSpan.FromDays(30);

    // Every member written, nulls too: the package is what GET /v1/disclosure-packages/{token} documents.
    private static readonly JsonSerializerOptions PackageJson = new(JsonSerializerDefaults.Web);

    /// <summary>The subject's ledger.</summary>
    public DisclosureLedger Ledger => ledger;

    /// <summary>Where a disclosure's package will live: its grain, the capability secret if it is served, and until when it can exist.</summary>
    /// <param name="Key">The package grain's key.</param>
    /// <param name="Secret">For a capability package, the URL's secret (never stored; only its hash is in the key).</param>
    /// <param name="ExpiresAt">For a capability package, when the URL stops working.</param>
    /// <param name="Until">When the package can no longer exist (served or pushed).</param>
    public sealed record PackagePlan(string Key, string? Secret, DateTimeOffset? ExpiresAt, DateTimeOffset Until);

    /// <summary>
    /// Appends the ledger entry for <paramref name="order"/> as decided and lists the package it will have, in the subject's
    /// state (the caller's one write); keys of packages long gone leave the list.
    /// </summary>
    public (DisclosureEntry Entry, PackagePlan Plan) Record(
        IDisclosureLedgerState subject, string region, string subjectKey, DisclosureOrder order, DisclosureRules.Decision decision,
        PurposeCompatibility.Selection selection, int lastSeq, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(selection);
        var entry = ledger.Append(subject, subjectKey, new DisclosureEntry(
            order.DisclosureId, now, order.Recipient, order.Basis, order.Categories, order.Purpose, order.Rationale,
            order.LegalReference ?? order.Change?.Reference, order.Basis == DisclosureBasis.Processor ? "push" : "capability",
            decision.International, decision.RecipientRegion, order.HiddenUntil, string.Empty, string.Empty, null, selection.Withheld), lastSeq, now);
        var plan = Plan(region, entry, now);
        foreach (var gone in subject.DisclosurePackages.Where(pair => pair.Value.Until + PackageListGrace < now).Select(pair => pair.Key).ToList())
        {
            subject.DisclosurePackages.Remove(gone);
        }

        subject.DisclosurePackages[plan.Key] = new ListedPackage(entry.DisclosureId, plan.Until);
        return (entry, plan);
    }

    /// <summary>The package: the items the selection carries, as in the export, with what the disclosure is and what it left out.</summary>
    public static string Package(DisclosureEntry entry, string subjectKind, string region, PurposeCompatibility.Selection selection)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(selection);
        return JsonSerializer.Serialize(
            new DisclosurePackageDocument(
                entry.DisclosureId, entry.At, new PackageSubject(subjectKind, region), entry.Recipient, entry.Basis, entry.Categories, entry.Purpose,
                selection.Items, selection.Withheld),
            PackageJson);
    }

    /// <summary>How many items of each category a package carries.</summary>
    public static ImmutableDictionary<DataCategory, int> ItemsIn(string json) =>
        (JsonSerializer.Deserialize<DisclosurePackageDocument>(json, PackageJson)?.Items ?? [])
            .GroupBy(item => item.Category).ToImmutableDictionary(group => group.Key, group => group.Count());

    /// <summary>Hands the package to its grain (pushed to the processor, or served behind the plan's capability URL) and answers the outcome.</summary>
    public static async Task<DisclosureOutcome> HandOnAsync(IGrainFactory grains, GrainId subject, DisclosureEntry entry, PackagePlan plan, string json)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(plan);
        var push = entry.Delivery == "push";
        await grains.GetGrain<IDisclosurePackageGrain>(plan.Key).CreateAsync(new DisclosurePackage(
            entry.DisclosureId, json, push ? entry.Recipient : null, plan.ExpiresAt, subject.ToString(), push ? plan.Until : null));
        return new DisclosureOutcome(null, null, entry, plan.Secret, plan.ExpiresAt);
    }

    private PackagePlan Plan(string region, DisclosureEntry entry, DateTimeOffset now)
    {
        if (entry.Delivery == "push")
        {
            return new PackagePlan(SharingKeys.Push(region, entry.DisclosureId), null, null, now + options.Value.PushLifetime);
        }

        var (secret, hash) = Capabilities.New();
        var expiresAt = now + options.Value.PackageLifetime;
        return new PackagePlan(SharingKeys.Capability(region, hash), secret, expiresAt, expiresAt);
    }
}
