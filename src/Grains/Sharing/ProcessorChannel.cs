using System.Text;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Regions;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.OpenDsr;

namespace PrimeDirective.Grains.Sharing;

/// <summary>
/// How a silo's grains reach processors: the registry's delivery details (endpoints, secret, contract), the signed post,
/// the sharing settings, and the real clock that paces retries (a pace, never a policy deadline).
/// </summary>
public sealed class ProcessorChannel(IGrainFactory grains, SharingHttp http, IOptions<RegionOptions> regions, IOptions<SharingOptions> options, TimeProvider pacing, OpenDsrOutbound openDsr)
{
    /// <summary>OpenDSR requests to processors: composed, fitted to their discovery, signed, their answers kept as evidence.</summary>
    public OpenDsrOutbound OpenDsr => openDsr;

    /// <summary>The sharing settings.</summary>
    public SharingOptions Options => options.Value;

    /// <summary>The real clock that paces attempts to a processor.</summary>
    public TimeProvider Pacing => pacing;

    /// <summary>How to reach a processor and sign for it; <c>null</c> if it is not registered.</summary>
    public Task<ProcessorDelivery?> DeliveryAsync(string processorId) =>
        grains.GetGrain<IProcessorRegistryGrain>(SharingKeys.Registry(regions.Value.Home)).GetDeliveryAsync(processorId);

    /// <summary>Posts <paramref name="body"/> to <paramref name="delivery"/>'s endpoint, signed for it in <paramref name="signatureHeader"/>; the status, or <c>null</c> if none came.</summary>
    public Task<int?> PostAsync(ProcessorDelivery delivery, string body, string signatureHeader, IReadOnlyDictionary<string, string> headers)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var bytes = Encoding.UTF8.GetBytes(body);
        return http.PostSignedAsync(delivery.Endpoint, bytes, signatureHeader, Signatures.For(delivery, bytes), headers);
    }
}
