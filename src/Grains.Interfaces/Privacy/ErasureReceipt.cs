using Orleans.Concurrency;
using System.Collections.Immutable;

namespace PrimeDirective.Grains.Interfaces.Privacy;

/// <summary>The outcome of erasing one subject: what was destroyed, where and when. Holds no personal data.</summary>
/// <param name="RequestId">The erasure request's id.</param>
/// <param name="Region">Where the erased data lived.</param>
/// <param name="CompletedAt">When the data was destroyed.</param>
/// <param name="ItemsByCategory">How many items of each category were destroyed.</param>
/// <param name="Subject">What kind of subject was erased: <c>cluster</c>, <c>account</c> or <c>email-index</c>.</param>
/// <param name="KeyFingerprint">The fingerprint of the subject's data key destroyed first (crypto-shredding), if it had one.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.ErasureReceipt")]
public sealed record ErasureReceipt(
    [property: Id(0)] string RequestId,
    [property: Id(1)] string Region,
    [property: Id(2)] DateTimeOffset CompletedAt,
    [property: Id(3)] ImmutableDictionary<DataCategory, int> ItemsByCategory,
    [property: Id(4)] string Subject,
    [property: Id(5)] string? KeyFingerprint = null);

/// <summary>A subject an erasure workflow destroys step by step.</summary>
[Alias("PrimeDirective.IErasable")]
public interface IErasable : IGrainWithStringKey
{
    /// <summary>
    /// What erasing the subject now would destroy, without destroying anything: the workflow keeps it before the
    /// step, so a step that completed just before a crash still has its receipt.
    /// </summary>
    [Alias("PreviewErasure")]
    [ReadOnly]
    Task<ErasureReceipt?> PreviewErasureAsync(string requestId);
}
