using System.Collections.Immutable;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Sharing;

namespace PrimeDirective.Grains.Requests;

/// <summary>
/// Erasure reaches the copies we made for others: before a subject is destroyed, each of its disclosure packages (served
/// at a capability URL, or a push not yet delivered) is destroyed, counted in the receipt as <c>disclosure-packages</c>.
/// </summary>
public sealed partial class PrivacyRequestGrain
{
    /// <summary>The receipt's subject kind for a subject's destroyed packages.</summary>
    public const string PackagesReceipt = "disclosure-packages";

    /// <summary>Destroys the subject's packages once per request; what they held is taken before, so a crash midway still has its receipt.</summary>
    private async Task DestroyPackagesAsync(string subjectKey, IDisclosureSubject subject)
    {
        var step = $"packages:{subjectKey}";
        var requestId = state.State.RequestId!;
        if (state.State.Done.Contains(step))
        {
            return;
        }

        var packages = await subject.DisclosurePackagesAsync();
        if (!state.State.Previews.ContainsKey(step))
        {
            // A package whose disclosure a running gag hides is destroyed as well, but the receipt the person reads cannot count it.
            var held = new List<ImmutableDictionary<DataCategory, int>>();
            foreach (var package in packages.Where(package => !package.Hidden))
            {
                if (await GrainFactory.GetGrain<IDisclosurePackageGrain>(package.Key).PreviewDestructionAsync() is { } items)
                {
                    held.Add(items);
                }
            }

            // Kept only when some package held data; an empty preview still marks the step as started.
            var counts = held.SelectMany(items => items).GroupBy(pair => pair.Key).ToImmutableDictionary(group => group.Key, group => group.Sum(pair => pair.Value));
            var region = SubjectKey.RegionOf(subjectKey) ?? Region;
            await UpdateAsync(now => (true, state.State.Previews[step] = new ErasureReceipt(requestId, region, now, counts, held.Count > 0 ? PackagesReceipt : string.Empty)));
        }

        foreach (var package in packages)
        {
            await GrainFactory.GetGrain<IDisclosurePackageGrain>(package.Key).DestroyForErasureAsync(requestId);
        }

        await UpdateAsync(now =>
        {
            var current = state.State;
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
