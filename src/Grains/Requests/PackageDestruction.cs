using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Requests;

/// <summary>
/// Erasure reaches the copies we made for others: before a subject is destroyed, each of its disclosure packages (served
/// at a capability URL, or a push not yet delivered) is destroyed, counted in the receipt as <c>disclosure-packages</c>.
/// Each subject's packages are one step of the request (<c>packages:{subject}</c> in its done steps and previews).
/// </summary>
/// <param name="document">The request's state.</param>
/// <param name="grains">Where the packages are.</param>
/// <param name="region">The request's region: the receipt's, for a subject whose key names none.</param>
public sealed class PackageDestruction(SubjectDocument<PrivacyRequestState> document, IGrainFactory grains, string region)
{
    /// <summary>The receipt's subject kind for a subject's destroyed packages.</summary>
    public const string PackagesReceipt = "disclosure-packages";

    /// <summary>Destroys the subject's packages once per request; what they held is taken before, so a crash midway still has its receipt.</summary>
    public async Task DestroyAsync(string subjectKey, IDisclosureSubject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var step = $"packages:{subjectKey}";
        var requestId = document.State.RequestId!;
        if (document.State.Done.Contains(step))
        {
            return;
        }

        var packages = await subject.DisclosurePackagesAsync();
        if (!document.State.Previews.ContainsKey(step))
        {
            // A package whose disclosure a running gag hides is destroyed as well, but the receipt the person reads cannot count it.
            var held = new List<ImmutableDictionary<DataCategory, int>>();
            foreach (var package in packages.Where(package => !package.Hidden))
            {
                if (await grains.GetGrain<IDisclosurePackageGrain>(package.Key).PreviewDestructionAsync() is { } items)
                {
                    held.Add(items);
                }
            }

            // Kept only when some package held data; an empty preview still marks the step as started.
            var counts = held.SelectMany(items => items).GroupBy(pair => pair.Key).ToImmutableDictionary(group => group.Key, group => group.Sum(pair => pair.Value));
            var where = SubjectKey.RegionOf(subjectKey) ?? region;
            await document.UpdateAsync(now => (true, document.State.Previews[step] = new ErasureReceipt(requestId, where, now, counts, held.Count > 0 ? PackagesReceipt : string.Empty)));
        }

        foreach (var package in packages)
        {
            await grains.GetGrain<IDisclosurePackageGrain>(package.Key).DestroyForErasureAsync(requestId);
        }

        await document.UpdateAsync(now =>
        {
            var current = document.State;
            if (current.Previews.GetValueOrDefault(step) is { Subject: PackagesReceipt } preview)
            {
                current.Receipts.Add(preview with { CompletedAt = now });
            }

            current.Previews.Remove(step);
            current.Done.Add(step);
            return (true, true);
        });
    }
}
