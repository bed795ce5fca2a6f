namespace PrimeDirective.Grains.Interfaces.OpenDsr;

/// <summary>
/// What a processor answered our OpenDSR request, kept as evidence (never its <c>encoded_request</c>, which carries the
/// erased person's identities, OpenDSR §7.3).
/// </summary>
/// <param name="SubjectRequestId">The <c>subject_request_id</c> we sent.</param>
/// <param name="RequestSha256">Lower-case hex SHA-256 of the exact body we sent.</param>
/// <param name="ProcessorDomain">Its <c>X-OpenDSR-Processor-Domain</c>.</param>
/// <param name="ProcessorSignature">Its <c>X-OpenDSR-Signature</c> (or the body's <c>processor_signature</c>) as received.</param>
/// <param name="SignatureVerified">Whether that signature verified against its registered certificate.</param>
/// <param name="ControllerId">Its <c>controller_id</c> for us.</param>
/// <param name="ReceivedTime">Its <c>received_time</c>.</param>
/// <param name="ExpectedCompletionTime">Its <c>expected_completion_time</c> in that answer.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.OpenDsrEvidence")]
public sealed record OpenDsrEvidence(
    [property: Id(0)] string SubjectRequestId,
    [property: Id(1)] string RequestSha256,
    [property: Id(2)] string? ProcessorDomain,
    [property: Id(3)] string? ProcessorSignature,
    [property: Id(4)] bool SignatureVerified,
    [property: Id(5)] string? ControllerId,
    [property: Id(6)] DateTimeOffset? ReceivedTime,
    [property: Id(7)] DateTimeOffset? ExpectedCompletionTime);

/// <summary>A processor's verified status callback about one of our requests (signature and certificate already checked).</summary>
/// <param name="ProcessorId">The registered processor whose certificate signed it.</param>
/// <param name="SubjectRequestId">Its <c>subject_request_id</c>.</param>
/// <param name="Status"><c>pending</c>, <c>in_progress</c>, <c>completed</c> or <c>cancelled</c>.</param>
/// <param name="ExpectedCompletionTime">Its <c>expected_completion_time</c>.</param>
/// <param name="ControllerId">Its <c>controller_id</c>.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.OpenDsrStatusReport")]
public sealed record OpenDsrStatusReport(
    [property: Id(0)] string ProcessorId,
    [property: Id(1)] string SubjectRequestId,
    [property: Id(2)] string Status,
    [property: Id(3)] DateTimeOffset ExpectedCompletionTime,
    [property: Id(4)] string ControllerId);

/// <summary>OpenDSR's names: statuses, routes and headers (with the OpenGDPR v1 names §10.1 still requires).</summary>
public static class OpenDsrNames
{
    /// <summary>The API version we speak.</summary>
    public const string ApiVersion = "2.0";

    /// <summary>The signature header.</summary>
    public const string SignatureHeader = "X-OpenDSR-Signature";

    /// <summary>The signer's domain header.</summary>
    public const string DomainHeader = "X-OpenDSR-Processor-Domain";

    /// <summary>The OpenGDPR v1 signature header.</summary>
    public const string LegacySignatureHeader = "X-OpenGDPR-Signature";

    /// <summary>The OpenGDPR v1 domain header.</summary>
    public const string LegacyDomainHeader = "X-OpenGDPR-Processor-Domain";

    /// <summary>Our callback route, under our public base URL.</summary>
    public static string CallbackPath(string requestId) => $"/opendsr/v2/callbacks/{requestId}";

    /// <summary>Our callback URL for <paramref name="requestId"/>; <c>null</c> without <c>OpenDsr:PublicBaseUrl</c>.</summary>
    public static string? CallbackUrl(OpenDsrOptions options, string requestId) =>
        options?.PublicBaseUrl is { Length: > 0 } root ? root.TrimEnd('/') + CallbackPath(requestId) : null;

    /// <summary>The statuses in the order a request moves through them (a report never moves one back).</summary>
    public static readonly IReadOnlyList<string> Statuses = ["pending", "in_progress", "completed", "cancelled"];

    /// <summary>Whether <paramref name="next"/> may follow <paramref name="current"/>: forward only, and nothing after an end.</summary>
    public static bool MayFollow(string? current, string next) =>
        current is null || (current is not ("completed" or "cancelled") && IndexOf(next) >= IndexOf(current));

    private static int IndexOf(string status) => Statuses.ToList().IndexOf(status);
}
