using PrimeDirective.Grains.Interfaces.Sharing;

namespace PrimeDirective.Grains.Sharing;

/// <summary>The only way basis <c>legal</c> holds: the legal request named by the order was decided <c>disclose</c> for this very disclosure of this subject.</summary>
public static class LegalRequestGate
{
    /// <summary>Whether the order's legal request authorises it for the subject keyed <paramref name="subjectKey"/>.</summary>
    public static async Task<bool> AuthorisesAsync(IGrainFactory grains, DisclosureOrder order, string subjectKey)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(order);
        return order.LegalRequestId is { } requestId && Interfaces.Keys.SubjectIds.Parse(requestId) is not null &&
            await grains.GetGrain<ILegalRequestGrain>(SharingKeys.LegalRequest(requestId)).AuthorisesAsync(subjectKey, order.DisclosureId);
    }
}
