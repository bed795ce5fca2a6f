using System.Text.Json;
using Microsoft.Extensions.Options;
using PrimeDirective.Gateway.Sharing;
using PrimeDirective.Gateway.Users;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.OpenDsr;
using PrimeDirective.Grains.Interfaces.Privacy;

namespace PrimeDirective.Gateway.OpenDsr;

/// <summary>
/// OpenDSR on our side as a controller, for the routes: a processor's status callback is checked as the specification's
/// security guidelines say (domain and certificate, then the signature over the raw body, then the body) and only then
/// recorded on the request it is about.
/// </summary>
internal sealed class OpenDsrDesk(IGrainFactory grains, UserGrains users, CertificateTrust trust, IOptions<OpenDsrOptions> options, TimeProvider clock)
{
    /// <summary>
    /// Domain whitelisted (our registry) and its certificate valid, else 401; the signature over the raw body, else 400;
    /// only then the body is parsed (400 if it is not the callback of this request's own URL); 404 if no notice of this
    /// processor has its <c>subject_request_id</c>. Nothing is recorded unless the answer is 202.
    /// </summary>
    public async Task<CallbackAnswer> ReceiveCallbackAsync(string requestId, string? domain, string? signature, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (domain is null || domain.Length > 253)
        {
            return new(StatusCodes.Status401Unauthorized, "X-OpenDSR-Processor-Domain must name a registered processor.");
        }

        var processor = await SharingEndpoints.Registry(grains, users).FindByDomainAsync(domain);
        if (processor?.Certificate is not { } certificate)
        {
            return new(StatusCodes.Status401Unauthorized, "X-OpenDSR-Processor-Domain must name a registered processor.");
        }

        if (trust.Check(certificate, domain, clock.GetUtcNow()) is var verdict && verdict != CertificateVerdict.Valid)
        {
            return new(StatusCodes.Status401Unauthorized, $"The processor's certificate does not validate ({OpenDsrEndpoints.VerdictName(verdict)}).");
        }

        if (!CertificateTrust.Verifies(certificate, body, signature))
        {
            return new(StatusCodes.Status400BadRequest, "X-OpenDSR-Signature is not a valid signature of the body by the processor's certificate.");
        }

        if (Parse(body) is not { } callback)
        {
            return new(StatusCodes.Status400BadRequest, "The body is not a valid OpenDSR callback.");
        }

        if (SubjectIds.Parse(requestId) is not { } parsed || !users.IsRegion(parsed.Region) || callback.StatusCallbackUrl != OpenDsrNames.CallbackUrl(options.Value, requestId))
        {
            return new(StatusCodes.Status400BadRequest, "status_callback_url is not this endpoint.");
        }

        var report = new OpenDsrStatusReport(processor.ProcessorId, callback.SubjectRequestId, callback.RequestStatus, callback.ExpectedCompletionTime, callback.ControllerId);
        return await users.Request(requestId).RecordOpenDsrStatusAsync(report)
            ? new(StatusCodes.Status202Accepted, null)
            : new(StatusCodes.Status404NotFound, "No request sent to this processor has this subject_request_id.");
    }

    private static OpenDsrCallback? Parse(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            string? Text(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            return (Text("controller_id"), Text("status_callback_url"), Text("subject_request_id"), Text("request_status"), Text("expected_completion_time")) is
                ({ Length: > 0 and <= 256 } controller, { } url, { } subjectRequestId, { } status, { } expected) &&
                Guid.TryParseExact(subjectRequestId, "D", out _) && OpenDsrNames.Statuses.Contains(status) &&
                IsoInstant.Parse(expected) is { } expectedAt
                ? new OpenDsrCallback(controller, url, subjectRequestId, status, expectedAt)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The fields of a callback we act on.</summary>
    private sealed record OpenDsrCallback(string ControllerId, string StatusCallbackUrl, string SubjectRequestId, string RequestStatus, DateTimeOffset ExpectedCompletionTime);
}

/// <summary>What the desk answers a callback: 202 (recorded) or the OpenDSR error's status and message.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Error">Why it was refused, without any submitted value; <c>null</c> when recorded.</param>
internal sealed record CallbackAnswer(int Status, string? Error);
