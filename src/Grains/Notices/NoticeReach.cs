using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Notices;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Sharing;

namespace PrimeDirective.Grains.Notices;

/// <summary>
/// Who a notice reaches: a subject is affected by every category it held during the window, its own items (account,
/// identifiers, third-party records, reports and crash reports) and the copies of its data in disclosure packages.
/// </summary>
public sealed class NoticeReach(IOptions<SharingOptions> sharing)
{
    /// <summary>Whether the subject held <paramref name="item"/> during the campaign's window.</summary>
    public static bool Covers(NoticeCampaign campaign, HeldItem item)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(item);
        return campaign.Covers(item.Category, item.CollectedAt, item.ExpiresAt);
    }

    /// <summary>
    /// Whether a package made for one of <paramref name="disclosures"/> held data of the campaign's categories during its
    /// window: from the disclosure until its package's lifetime at most (pushed ones are usually gone sooner). Entries a
    /// gag still hides are left out: a notice must not reveal them.
    /// </summary>
    public bool CoversPackages(NoticeCampaign campaign, IEnumerable<DisclosureEntry> disclosures, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(disclosures);
        var lifetime = sharing.Value.PackageLifetime;
        return disclosures.Any(entry => (entry.HiddenUntil is not { } hidden || hidden <= now) &&
            entry.Categories.Any(category => campaign.Covers(category, entry.At, entry.At + lifetime)));
    }
}
