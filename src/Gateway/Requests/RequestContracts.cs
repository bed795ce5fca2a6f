using System.Text.Json.Serialization;
using PrimeDirective.Grains.Interfaces.Requests;

namespace PrimeDirective.Gateway.Requests;

/// <summary>The answer to an accepted privacy request: its id, status, and the capability URL of its receipt.</summary>
internal sealed record ErasureAccepted(string RequestId, PrivacyRequestStatus Status, string ReceiptUrl)
{
    public static ErasureAccepted From(PrivacyRequestView view, string capability) =>
        new(view.RequestId, view.Status, $"/v1/privacy-requests/{view.RequestId}?capability={capability}");
}

/// <summary>Privacy requests' JSON, source-generated.</summary>
[JsonSerializable(typeof(ErasureAccepted))]
[JsonSerializable(typeof(PrivacyRequestView))]
internal sealed partial class RequestJson : JsonSerializerContext;
